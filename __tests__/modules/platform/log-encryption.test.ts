import { Aspects, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EncryptLogGroups, LogEncryptionKey } from "../../../modules/platform/log-encryption";
import { resourcesOfType, soleResource, type Synthesized } from "../../support/synth";

const LOOKUPS = { region: "eu-west-1", accountId: "123456789012", partition: "aws" };

/** A stack with the key over `scope`'s groups (default the stack) and the aspect that applies it. */
function synthKeyed(build: (stack: TerraformStack) => Construct | undefined): Synthesized {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const scope = build(stack);
  const key = new LogEncryptionKey(stack, "logs-key", { ...LOOKUPS, aliasName: "acme-logs-test", logGroupsOf: scope });
  Aspects.of(stack).add(new EncryptLogGroups(key.keyArn));
  return JSON.parse(Testing.synth(stack)) as Synthesized;
}

function loggingCondition(json: Synthesized): unknown {
  const documents = Object.values(json.data?.aws_iam_policy_document ?? {}) as Array<{ statement: Array<{ sid: string; condition?: unknown }> }>;
  return documents[0].statement.find((statement) => statement.sid === "CloudWatchLogsUseForTheseLogGroups")?.condition;
}

describe("LogEncryptionKey", () => {
  test("GIVEN log groups created before and after the key WHEN synthesized THEN the rotating key's policy names each, and each uses the key", () => {
    // GIVEN / WHEN
    const json = synthKeyed((stack) => {
      new CloudwatchLogGroup(stack, "a", { name: "/ecs/a", retentionInDays: 7 });
      return undefined;
    });
    // THEN
    expect(soleResource(json, "aws_kms_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(soleResource(json, "aws_kms_alias").name).toBe("alias/acme-logs-test");
    expect(loggingCondition(json)).toEqual([
      { test: "ArnLike", variable: "kms:EncryptionContext:aws:logs:arn", values: ["arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/a"] },
    ]);
    for (const group of resourcesOfType(json, "aws_cloudwatch_log_group")) expect(group.kms_key_id).toMatch(/^\$\{aws_kms_key\.logs-key/);
  });

  test("GIVEN logGroupsOf a subtree WHEN synthesized THEN only that subtree's groups are named", () => {
    const json = synthKeyed((stack) => {
      const inside = new Construct(stack, "inside");
      new CloudwatchLogGroup(inside, "b", { name: "/ecs/b", retentionInDays: 7 });
      new CloudwatchLogGroup(stack, "c", { name: "/ecs/c", retentionInDays: 7 });
      return inside;
    });
    expect(loggingCondition(json)).toEqual([expect.objectContaining({ values: ["arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/b"] })]);
  });

  test("GIVEN a log group named by a reference WHEN synthesized THEN synthesis says the key policy cannot name it", () => {
    expect(() =>
      synthKeyed((stack) => {
        const named = new CloudwatchLogGroup(stack, "named", { name: "/ecs/named", retentionInDays: 7 });
        new CloudwatchLogGroup(stack, "derived", { name: `${named.name}-copy`, retentionInDays: 7 });
        return undefined;
      }),
    ).toThrow("[test/derived] log group needs a literal name to be covered by the logs KMS key policy");
  });

  test("GIVEN a log group already on another key WHEN synthesized THEN the aspect refuses it", () => {
    // GIVEN
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new CloudwatchLogGroup(stack, "other", { name: "/ecs/other", retentionInDays: 7, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/other" });
    const key = new LogEncryptionKey(stack, "logs-key", { ...LOOKUPS, aliasName: "acme-logs-test" });
    Aspects.of(stack).add(new EncryptLogGroups(key.keyArn));
    // WHEN / THEN
    expect(() => app.synth()).toThrow(
      /\[test\/other\] log groups must be encrypted with the environment's logs key: kms_key_id is arn:aws:kms:eu-west-1:123456789012:key\/other/,
    );
  });
});
