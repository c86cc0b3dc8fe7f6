import { describe, expect, test } from "vitest";
import { GUARDRAIL_RULES, type ResourceArguments } from "../../../modules/platform/guardrails";

function problems(resourceType: string, args: ResourceArguments): string[] {
  return GUARDRAIL_RULES.filter((rule) => rule.resourceType === resourceType).flatMap((rule) => {
    const problem = rule.check(args);
    return problem === undefined ? [] : [`${rule.description}: ${problem}`];
  });
}

describe("guardrails for scheduled tasks", () => {
  test.each([
    { given: "SQS-managed encryption", args: { sqs_managed_sse_enabled: true }, expected: [] },
    { given: "a KMS key", args: { kms_master_key_id: "alias/aws/sqs" }, expected: [] },
    {
      given: "no encryption",
      args: { name: "jobs" },
      expected: ["SQS queues must be encrypted: neither sqs_managed_sse_enabled nor kms_master_key_id is set"],
    },
    {
      given: "encryption turned off",
      args: { sqs_managed_sse_enabled: false },
      expected: ["SQS queues must be encrypted: neither sqs_managed_sse_enabled nor kms_master_key_id is set"],
    },
  ])("GIVEN a queue with $given WHEN checked THEN problems are $expected", ({ args, expected }) => {
    // GIVEN / WHEN / THEN
    expect(problems("aws_sqs_queue", args)).toEqual(expected);
  });

  test.each([
    { given: "an ECS target with a dead-letter queue", args: { ecs_target: { task_count: 1 }, dead_letter_config: { arn: "${aws_sqs_queue.q.arn}" } }, expected: [] },
    {
      given: "an ECS target without one",
      args: { ecs_target: { task_count: 1 } },
      expected: ["EventBridge ECS targets must have a dead-letter queue: ecs_target has no dead_letter_config.arn"],
    },
    { given: "a Lambda target without one", args: { arn: "${aws_lambda_function.f.arn}" }, expected: [] },
  ])("GIVEN $given WHEN checked THEN problems are $expected", ({ args, expected }) => {
    // GIVEN / WHEN / THEN
    expect(problems("aws_cloudwatch_event_target", args)).toEqual(expected);
  });
});
