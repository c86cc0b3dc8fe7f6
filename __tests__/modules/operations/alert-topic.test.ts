import { describe, expect, test } from "vitest";
import { AlertTopic } from "../../../modules/operations/alert-topic";
import { dataSourcesOfType, resourcesOfType, soleResource, synthConstructs } from "../../support/synth";

describe("AlertTopic", () => {
  const json = synthConstructs((scope) => {
    new AlertTopic(scope, "alerts", { topicName: "acme-api-alerts-production", accountId: "123456789012", partition: "aws", emails: ["oncall@example.com", "lead@example.com"] });
  });

  test("encrypts the topic with a rotating customer-managed key", () => {
    const key = soleResource(json, "aws_kms_key");
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(soleResource(json, "aws_sns_topic")).toMatchObject({ name: "acme-api-alerts-production", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/) });
    expect(soleResource(json, "aws_kms_alias")).toMatchObject({ name: "alias/acme-api-alerts-production" });
  });

  test("lets CloudWatch alarms of this account use the key, which the AWS-managed SNS key never would", () => {
    const [policy] = dataSourcesOfType(json, "aws_iam_policy_document");
    expect(policy.statement).toContainEqual({
      sid: "CloudWatchAlarmsPublish",
      principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      resources: ["*"],
      condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }],
    });
    expect(policy.statement).toContainEqual(expect.objectContaining({ sid: "AccountAdministers", principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] }));
  });

  test("subscribes every address by e-mail", () => {
    expect(resourcesOfType(json, "aws_sns_topic_subscription").map((subscription) => [subscription.protocol, subscription.endpoint])).toEqual([
      ["email", "oncall@example.com"],
      ["email", "lead@example.com"],
    ]);
  });
});
