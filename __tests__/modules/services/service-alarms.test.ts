import { describe, expect, test } from "vitest";
import { ServiceAlarms } from "../../../modules/services/service-alarms";
import { resourcesOfType, synthConstructs } from "../../support/synth";

describe("ServiceAlarms", () => {
  const json = synthConstructs((scope) => {
    new ServiceAlarms(scope, "alarms", {
      alarmNamePrefix: "acme-api-api-production",
      loadBalancerArnSuffix: "app/acme/123",
      targetGroupArnSuffix: "targetgroup/api/456",
      target5xxPerMinute: 25,
      alarmActions: ["arn:aws:sns:eu-west-1:123456789012:alerts"],
    });
  });
  const byName = (name: string) => resourcesOfType(json, "aws_cloudwatch_metric_alarm").find((alarm) => alarm.alarm_name === name);

  test.each([
    ["acme-api-api-production-unhealthy-targets", "UnHealthyHostCount", "Maximum", 0],
    ["acme-api-api-production-target-5xx", "HTTPCode_Target_5XX_Count", "Sum", 25],
  ])("%s watches %s (%s > %i) of this target group, three bad minutes in a row", (name, metric, statistic, threshold) => {
    expect(byName(name)).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metric_name: metric,
      statistic,
      threshold,
      comparison_operator: "GreaterThanThreshold",
      dimensions: { LoadBalancer: "app/acme/123", TargetGroup: "targetgroup/api/456" },
      period: 60,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      treat_missing_data: "notBreaching",
      alarm_actions: ["arn:aws:sns:eu-west-1:123456789012:alerts"],
      ok_actions: ["arn:aws:sns:eu-west-1:123456789012:alerts"],
    });
  });
});
