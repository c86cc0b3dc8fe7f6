import { describe, expect, test } from "vitest";
import { SHIPPED_ENVIRONMENTS } from "../support/shipped-stacks";
import { parseEnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { resourcesOfType, synthEnvironment, synthExample } from "../support/synth";
import { EXAMPLES } from "../support/examples";

/** Alarms that notify people, as opposed to those that drive scaling policies. */
function notifyingAlarms(json: ReturnType<typeof synthEnvironment>["json"]) {
  return resourcesOfType(json, "aws_cloudwatch_metric_alarm").filter(
    (alarm) => !(alarm.alarm_actions ?? []).some((action: string) => /aws_(appautoscaling|autoscaling)_policy/.test(action)),
  );
}

describe("alerts in the platform stack", () => {
  test.each(SHIPPED_ENVIRONMENTS)("%s: every notifying alarm sends to the environment's alert topic", (name) => {
    // GIVEN / WHEN
    const { json, stack } = synthEnvironment(name);

    // THEN
    expect(stack.alertTopic).toBeDefined();
    const alarms = notifyingAlarms(json);
    expect(alarms.length).toBeGreaterThanOrEqual(3);
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_[\w]+\.arn\}$/)]);
    }
    expect(json.output?.alerts_topic_arn).toBeDefined();
  });

  test("production: each web service has health and 5xx alarms, the daemon none", () => {
    const { json } = synthExample("production");
    const names = resourcesOfType(json, "aws_cloudwatch_metric_alarm").map((alarm) => alarm.alarm_name);
    expect(names).toEqual(
      expect.arrayContaining([
        "acme-api-api-production-unhealthy-targets",
        "acme-api-api-production-target-5xx",
        "acme-api-admin-production-unhealthy-targets",
        "acme-api-admin-production-target-5xx",
      ]),
    );
    expect(names.filter((name) => name.startsWith("acme-api-metrics-agent"))).toEqual([]);
  });

  test("an existing topic is used as is, with no topic or key created", () => {
    // GIVEN
    const topicArn = "arn:aws:sns:eu-west-1:123456789012:pagerduty";
    const input: EnvironmentInput = { ...EXAMPLES.production, alerts: { topicArn } };

    // WHEN
    const { json, stack } = synthEnvironment(input);

    // THEN
    expect(stack.alertTopic).toBeUndefined();
    // The only key left is the logs key production asks for.
    expect(resourcesOfType(json, "aws_kms_key").map((key) => key.description)).toEqual(["Encrypts the CloudWatch log groups of acme-api-logs-production"]);
    for (const alarm of notifyingAlarms(json)) expect(alarm.alarm_actions).toEqual([topicArn]);
  });

  test("without alerts configured the alarms exist but notify no one", () => {
    const { json, stack } = synthEnvironment({ ...EXAMPLES.staging, alerts: undefined });
    expect(stack.alertTopic).toBeUndefined();
    const alarms = notifyingAlarms(json);
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm.alarm_actions ?? []).toEqual([]);
  });
});

describe("alerts config", () => {
  test.each<[string, EnvironmentInput["alerts"], string]>([
    ["both a topic and e-mails", { topicArn: "arn:aws:sns:eu-west-1:123456789012:ops", emails: ["a@example.com"] }, "alerts.emails: set either emails (a topic is created) or topicArn, not both"],
    ["a topic that is not an SNS ARN", { topicArn: "arn:aws:sqs:eu-west-1:123456789012:ops" }, "alerts.topicArn: must be an SNS topic ARN"],
    ["an address that is not one", { emails: ["on-call"] }, "alerts.emails.0: must be an e-mail address"],
  ])("rejects %s, naming the field", (_case, alerts, expected) => {
    expect(() => parseEnvironmentConfig({ ...EXAMPLES.staging, alerts })).toThrow(expected);
  });
});
