import type { TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { synthWithGuardrails } from "../../support/guardrails";

describe("Guardrails for queues and topics", () => {
  test.each<[string, (stack: TerraformStack) => void, string]>([
    ["an SQS queue with managed SSE", (stack) => new SqsQueue(stack, "q", { name: "q", sqsManagedSseEnabled: true }), "ok"],
    ["an SQS queue with a KMS key", (stack) => new SqsQueue(stack, "q", { name: "q", kmsMasterKeyId: "alias/aws/sqs" }), "ok"],
    [
      "an unencrypted SQS queue",
      (stack) => new SqsQueue(stack, "q", { name: "q" }),
      "[guarded/q] SQS queues must be encrypted: neither sqs_managed_sse_enabled nor kms_master_key_id is set",
    ],
    [
      "an SQS queue whose SSE is overridden off",
      (stack) => new SqsQueue(stack, "q", { name: "q", sqsManagedSseEnabled: true }).addOverride("sqs_managed_sse_enabled", false),
      "[guarded/q] SQS queues must be encrypted",
    ],
    ["an SNS topic with a KMS key", (stack) => new SnsTopic(stack, "t", { name: "t", kmsMasterKeyId: "alias/aws/sns" }), "ok"],
    ["an unencrypted SNS topic", (stack) => new SnsTopic(stack, "t", { name: "t" }), "[guarded/t] SNS topics must be encrypted: kms_master_key_id is not set"],
  ])("%s", (_case, build, expected) => {
    // GIVEN / WHEN / THEN
    const result = synthWithGuardrails(build);
    if (expected === "ok") expect(result).toBe("ok");
    else expect(result).toContain(expected);
  });
});
