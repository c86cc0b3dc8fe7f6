import { describe, expect, test } from "vitest";
import { ScalableTarget } from "../../../modules/compute/scalable-target";
import { resourcesOfType, soleResource, synthConstructs } from "../../support/synth";

const TARGET = {
  serviceNamespace: "ecs",
  resourceId: "service/acme-api-production/api",
  scalableDimension: "ecs:service:DesiredCount",
  minCapacity: 2,
  maxCapacity: 10,
};

describe("ScalableTarget", () => {
  test("target tracking on a predefined metric with cooldowns", () => {
    // GIVEN a target with a target tracking policy WHEN synthesized
    const json = synthConstructs((scope) => {
      new ScalableTarget(scope, "scaling", TARGET).addTargetTrackingPolicy("cpu", {
        policyName: "api-cpu",
        predefinedMetricType: "ECSServiceAverageCPUUtilization",
        targetValue: 60,
        scaleInCooldownSeconds: 300,
        scaleOutCooldownSeconds: 60,
      });
    });
    // THEN
    expect(soleResource(json, "aws_appautoscaling_target")).toMatchObject({
      service_namespace: "ecs",
      resource_id: "service/acme-api-production/api",
      scalable_dimension: "ecs:service:DesiredCount",
      min_capacity: 2,
      max_capacity: 10,
    });
    const policy = soleResource(json, "aws_appautoscaling_policy");
    expect(policy.policy_type).toBe("TargetTrackingScaling");
    expect(policy.resource_id).toMatch(/^\$\{aws_appautoscaling_target\.\w+\.resource_id\}$/);
    expect(policy.target_tracking_scaling_policy_configuration).toEqual({
      predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
      target_value: 60,
      scale_in_cooldown: 300,
      scale_out_cooldown: 60,
      disable_scale_in: false,
    });
  });

  test("step scaling: steps relative to the threshold, the last open-ended, each alarm triggers the policy", () => {
    // GIVEN a step policy driven by two alarms WHEN synthesized
    const json = synthConstructs((scope) => {
      new ScalableTarget(scope, "scaling", TARGET).addStepScalingPolicy("burst", {
        policyName: "api-burst",
        cooldownSeconds: 60,
        steps: [
          { fromAboveThreshold: 0, adjustment: 1 },
          { fromAboveThreshold: 20, adjustment: 3 },
        ],
        alarms: [
          { alarmName: "api-cpu-high", alarmDescription: "CPU high: add tasks", namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: { ClusterName: "c", ServiceName: "api" }, threshold: 85 },
          { alarmName: "api-memory-high", alarmDescription: "memory high: add tasks", namespace: "AWS/ECS", metricName: "MemoryUtilization", dimensions: { ClusterName: "c", ServiceName: "api" }, threshold: 85, evaluationPeriods: 3 },
        ],
      });
    });
    // THEN
    const policy = soleResource(json, "aws_appautoscaling_policy");
    expect(policy.step_scaling_policy_configuration).toEqual({
      adjustment_type: "ChangeInCapacity",
      cooldown: 60,
      metric_aggregation_type: "Maximum",
      step_adjustment: [
        { metric_interval_lower_bound: "0", metric_interval_upper_bound: "20", scaling_adjustment: 1 },
        { metric_interval_lower_bound: "20", scaling_adjustment: 3 },
      ],
    });
    const alarms = resourcesOfType(json, "aws_cloudwatch_metric_alarm");
    expect(alarms.map((alarm) => [alarm.alarm_name, alarm.metric_name, alarm.evaluation_periods])).toEqual([
      ["api-cpu-high", "CPUUtilization", 2],
      ["api-memory-high", "MemoryUtilization", 3],
    ]);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ comparison_operator: "GreaterThanOrEqualToThreshold", threshold: 85, statistic: "Average", period: 60 });
      expect(alarm.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_appautoscaling_policy\.\w+\.arn\}$/)]);
    }
  });

  test.each([
    ["steps out of order", { steps: [{ fromAboveThreshold: 10, adjustment: 1 }, { fromAboveThreshold: 5, adjustment: 2 }] }, /ascending/],
    ["no steps", { steps: [] }, /at least one step/],
    ["no alarms", { alarms: [] }, /at least one alarm/],
  ])("refuses %s", (_what, override, message) => {
    const policy = {
      policyName: "p",
      cooldownSeconds: 60,
      steps: [{ fromAboveThreshold: 0, adjustment: 1 }],
      alarms: [{ alarmName: "a", alarmDescription: "a description", namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: {}, threshold: 80 }],
      ...override,
    };
    expect(() => synthConstructs((scope) => new ScalableTarget(scope, "scaling", TARGET).addStepScalingPolicy("p", policy))).toThrow(message);
  });

  test("refuses max below min", () => {
    expect(() => synthConstructs((scope) => new ScalableTarget(scope, "scaling", { ...TARGET, minCapacity: 5, maxCapacity: 4 }))).toThrow(/maxCapacity/);
  });
});
