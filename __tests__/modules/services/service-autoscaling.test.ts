import { describe, expect, test } from "vitest";
import { ServiceAutoScaling, type ServiceAutoScalingProps } from "../../../modules/services/service-autoscaling";
import { referencedResourceAddress } from "../../support/references";
import { resourcesOfType, soleResource, synthConstructs, type Synthesized } from "../../support/synth";

const props: ServiceAutoScalingProps = {
  clusterName: "acme-api-test",
  serviceName: "api",
  namePrefix: "acme-api-api-test",
  minCount: 2,
  maxCount: 20,
  cpuTargetPercent: 60,
  memoryTargetPercent: 75,
  requestsPerTarget: 1000,
  requestCountResourceLabel: "app/web/abc/targetgroup/api/def",
  scaleInCooldownSeconds: 300,
  scaleOutCooldownSeconds: 60,
  stepScaling: { metric: "CPUUtilization", thresholdPercent: 85, evaluationPeriods: 2, scaleOutAdjustments: [1, 3], cooldownSeconds: 90 },
};

const synth = (overrides: Partial<ServiceAutoScalingProps> = {}): Synthesized =>
  synthConstructs((scope) => new ServiceAutoScaling(scope, "scaling", { ...props, ...overrides }));
const policyNamed = (json: Synthesized, name: string) => {
  const policy = resourcesOfType(json, "aws_appautoscaling_policy").find((candidate) => candidate.name === name);
  if (!policy) throw new Error(`no policy ${name}`);
  return policy;
};

describe("ServiceAutoScaling", () => {
  const json = synth();

  test("scales the service's desired count between min and max", () => {
    expect(soleResource(json, "aws_appautoscaling_target")).toEqual({
      service_namespace: "ecs",
      scalable_dimension: "ecs:service:DesiredCount",
      resource_id: "service/acme-api-test/api",
      min_capacity: 2,
      max_capacity: 20,
    });
  });

  test.each([
    ["acme-api-api-test-cpu", "ECSServiceAverageCPUUtilization", 60, undefined],
    ["acme-api-api-test-memory", "ECSServiceAverageMemoryUtilization", 75, undefined],
    ["acme-api-api-test-requests", "ALBRequestCountPerTarget", 1000, "app/web/abc/targetgroup/api/def"],
  ])("target tracking %s on %s", (name, metric, target, label) => {
    const policy = policyNamed(json, name);
    expect(policy).toMatchObject({ policy_type: "TargetTrackingScaling", service_namespace: expect.stringMatching(/^\$\{aws_appautoscaling_target\./) });
    expect(policy.target_tracking_scaling_policy_configuration).toEqual({
      target_value: target,
      predefined_metric_specification: label === undefined ? { predefined_metric_type: metric } : { predefined_metric_type: metric, resource_label: label },
      scale_in_cooldown: 300,
      scale_out_cooldown: 60,
      disable_scale_in: false,
    });
  });

  test("step scaling adds 1 task at the threshold and 3 from 20 points above, driven by an alarm", () => {
    // GIVEN
    const policy = policyNamed(json, "acme-api-api-test-step");
    const alarm = soleResource(json, "aws_cloudwatch_metric_alarm");

    // THEN
    expect(policy.policy_type).toBe("StepScaling");
    expect(policy.step_scaling_policy_configuration).toEqual({
      adjustment_type: "ChangeInCapacity",
      metric_aggregation_type: "Average",
      cooldown: 90,
      step_adjustment: [
        { metric_interval_lower_bound: "0", metric_interval_upper_bound: "20", scaling_adjustment: 1 },
        { metric_interval_lower_bound: "20", scaling_adjustment: 3 },
      ],
    });
    expect(alarm).toMatchObject({
      namespace: "AWS/ECS",
      metric_name: "CPUUtilization",
      dimensions: { ClusterName: "acme-api-test", ServiceName: "api" },
      threshold: 85,
      evaluation_periods: 2,
      period: 60,
      comparison_operator: "GreaterThanOrEqualToThreshold",
    });
    expect(referencedResourceAddress(String(alarm.alarm_actions[0]).replace(/\.arn\}$/, "}"))).toMatch(/^aws_appautoscaling_policy\..*step/);
  });

  test("can stop target tracking from scaling in", () => {
    const policies = resourcesOfType(synth({ disableScaleIn: true, stepScaling: undefined }), "aws_appautoscaling_policy");
    expect(policies).toHaveLength(3);
    for (const policy of policies) expect(policy.target_tracking_scaling_policy_configuration.disable_scale_in).toBe(true);
  });

  test("creates only the policies asked for", () => {
    const only = synth({ memoryTargetPercent: undefined, requestsPerTarget: undefined, stepScaling: undefined });
    expect(resourcesOfType(only, "aws_appautoscaling_policy").map((policy) => policy.name)).toEqual(["acme-api-api-test-cpu"]);
    expect(resourcesOfType(only, "aws_cloudwatch_metric_alarm")).toHaveLength(0);
  });

  test("refuses request-count scaling without a load balancer label", () => {
    expect(() => synth({ requestCountResourceLabel: undefined })).toThrow(/requestsPerTarget needs requestCountResourceLabel/);
  });
});
