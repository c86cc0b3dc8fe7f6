import { describe, expect, test } from "vitest";
import { SpotFallback, type SpotFallbackProps } from "../../../modules/operations/spot-fallback";
import { loadConfig } from "../../../lambdas/spot-fallback/config";
import { FALLBACK_METRICS } from "../../../lambdas/spot-fallback/metrics";
import { dataSourcesOfType, resourcesOfType, soleResource, synthConstructs, type Synthesized } from "../../support/synth";

const SPOT_ARN = "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:66666666-7777-8888-9999-000000000000:autoScalingGroupName/acme-api-spot-production";
const ON_DEMAND_ARN = "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/acme-api-on-demand-staging";
const ALERTS = "arn:aws:sns:eu-west-1:123456789012:acme-api-alerts-production";

const baseProps: SpotFallbackProps = {
  functionName: "acme-api-spot-fallback-production",
  ruleName: "acme-api-spot-fallback-production",
  stateParameterName: "/acme-api/production/spot-fallback/state",
  clusterName: "acme-api-production",
  lever: {
    mode: "capacity-providers",
    spotGroupName: "acme-api-spot-production",
    spotGroupArn: SPOT_ARN,
    launchTemplateArn: "arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-0123456789abcdef0",
    instanceRoleArn: "arn:aws:iam::123456789012:role/acme-api-ecs-instance-production",
    partition: "aws",
    region: "eu-west-1",
    accountId: "123456789012",
    baseCapacity: 1,
    onDemandPercentageAboveBase: 20,
  },
  checkIntervalMinutes: 1,
  sustainSeconds: 180,
  settleSeconds: 180,
  maxOnDemandInstances: 12,
  recoveryHoldSeconds: 900,
  maxRecoveryHoldSeconds: 14400,
  recoveryStepInstances: 1,
  recoveryStepIntervalSeconds: 300,
  logRetentionDays: 30,
  alarmActions: [ALERTS],
};
const FLEET_LEVER: SpotFallbackProps["lever"] = {
  mode: "spot-fleet",
  spotFleetRequestId: "sfr-0123abcd-4567-89ab-cdef-0123456789ab",
  onDemandGroupName: "acme-api-on-demand-staging",
  onDemandGroupArn: ON_DEMAND_ARN,
  onDemandFloor: 0,
  onDemandInstanceWeight: 1,
};

const synthFallback = (overrides: Partial<SpotFallbackProps> = {}): Synthesized => synthConstructs((scope) => new SpotFallback(scope, "spot-fallback", { ...baseProps, ...overrides }));

interface Statement {
  sid?: string;
  actions: string[];
  resources: string[];
}
const statements = (json: Synthesized): Statement[] => dataSourcesOfType(json, "aws_iam_policy_document").flatMap((document) => (document.statement ?? []) as Statement[]);
const actionsOn = (json: Synthesized, resource: string) => statements(json).filter((statement) => statement.resources?.includes(resource)).flatMap((statement) => statement.actions);

describe("SpotFallback", () => {
  const json = synthFallback();
  const fn = soleResource(json, "aws_lambda_function");
  const variables = fn.environment.variables as Record<string, string>;

  test("GIVEN capacity-providers props WHEN synthesized THEN the function's environment loads as the handler's config, with every setting passed through", () => {
    const config = loadConfig({ ...variables, STATE_PARAMETER_NAME: "/acme-api/production/spot-fallback/state" });
    expect(config).toEqual({
      clusterName: "acme-api-production",
      stateParameterName: "/acme-api/production/spot-fallback/state",
      capacity: { mode: "capacity-providers", spotGroupName: "acme-api-spot-production", baseCapacity: 1, onDemandPercentageAboveBase: 20 },
      settings: {
        sustainSeconds: 180,
        errorWindowSeconds: 300,
        settleSeconds: 180,
        maxAddedInstances: 12,
        recoveryHoldSeconds: 900,
        maxRecoveryHoldSeconds: 14400,
        recoveryStepInstances: 1,
        recoveryStepIntervalSeconds: 300,
      },
    });
    expect(variables.STATE_PARAMETER_NAME).toMatch(/^\$\{aws_ssm_parameter\.[^.]+\.name\}$/);
    expect(fn).toMatchObject({ reserved_concurrent_executions: 1, timeout: 30, runtime: "nodejs22.x" });
  });

  test("GIVEN capacity-providers props WHEN synthesized THEN it may move only the Spot group, read groups and activities, and own its state", () => {
    const state = soleResource(json, "aws_ssm_parameter");
    expect(state).toMatchObject({ name: "/acme-api/production/spot-fallback/state", type: "String", value: "{}", lifecycle: { ignore_changes: ["value"] } });
    expect(actionsOn(json, SPOT_ARN)).toEqual(["autoscaling:UpdateAutoScalingGroup"]);
    expect(actionsOn(json, "*").sort()).toEqual(["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities"]);
    expect(statements(json).find((statement) => statement.sid === "OwnState")).toMatchObject({ actions: ["ssm:GetParameter", "ssm:PutParameter"], resources: [expect.stringMatching(/^\$\{aws_ssm_parameter\..+\.arn\}$/)] });
    expect(statements(json).flatMap((statement) => statement.actions)).not.toContain("autoscaling:SetDesiredCapacity");
  });

  test.each([
    [1, "rate(1 minute)", 60],
    [5, "rate(5 minutes)", 300],
  ])("GIVEN a check every %i minute(s) WHEN synthesized THEN the schedule is %s and the alarms look at periods of %i s", (minutes, expression, period) => {
    const synthesized = synthFallback({ checkIntervalMinutes: minutes });
    expect(soleResource(synthesized, "aws_cloudwatch_event_rule").schedule_expression).toBe(expression);
    const own = resourcesOfType(synthesized, "aws_cloudwatch_metric_alarm").filter((alarm) => alarm.namespace === FALLBACK_METRICS.namespace);
    expect(own.map((alarm) => alarm.period)).toEqual([period, period]);
  });

  test("GIVEN alarm actions WHEN synthesized THEN the active and capped alarms watch its own metrics and notify on entering and leaving; failed checks alarm through the failure queue", () => {
    const alarms = resourcesOfType(json, "aws_cloudwatch_metric_alarm");
    const own = alarms.filter((alarm) => alarm.namespace === FALLBACK_METRICS.namespace);
    expect(own.map((alarm) => alarm.metric_name)).toEqual([FALLBACK_METRICS.names.fallbackActive, FALLBACK_METRICS.names.fallbackCapped]);
    for (const alarm of own) {
      expect(alarm).toMatchObject({
        dimensions: { [FALLBACK_METRICS.dimension]: "acme-api-production" },
        statistic: "Maximum",
        comparison_operator: "GreaterThanThreshold",
        threshold: 0,
        alarm_actions: [ALERTS],
        ok_actions: [ALERTS],
      });
    }
    expect(alarms.find((alarm) => alarm.namespace === "AWS/SQS")).toMatchObject({ alarm_name: "acme-api-spot-fallback-production-failures-not-empty", alarm_actions: [ALERTS] });
    expect(soleResource(json, "aws_lambda_function_event_invoke_config")).toMatchObject({ maximum_retry_attempts: 0, maximum_event_age_in_seconds: 60 });
    const permission = soleResource(json, "aws_lambda_permission");
    expect(permission).toMatchObject({ principal: "events.amazonaws.com", source_arn: expect.stringMatching(/aws_cloudwatch_event_rule\..+\.arn/) });
  });

  test("GIVEN spot-fleet props WHEN synthesized THEN it reads the fleet and sizes only the on-demand group", () => {
    const fleet = synthFallback({ lever: FLEET_LEVER });
    const fleetVariables = soleResource(fleet, "aws_lambda_function").environment.variables as Record<string, string>;
    expect(loadConfig(fleetVariables).capacity).toEqual({
      mode: "spot-fleet",
      spotFleetRequestId: FLEET_LEVER.spotFleetRequestId,
      onDemandGroupName: "acme-api-on-demand-staging",
      onDemandFloor: 0,
      onDemandInstanceWeight: 1,
    });
    expect(actionsOn(fleet, ON_DEMAND_ARN)).toEqual(["autoscaling:SetDesiredCapacity"]);
    expect(actionsOn(fleet, "*").sort()).toEqual(["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities", "ec2:DescribeSpotFleetRequestHistory", "ec2:DescribeSpotFleetRequests"]);
    expect(statements(fleet).flatMap((statement) => statement.actions)).not.toContain("autoscaling:UpdateAutoScalingGroup");
  });

  test("GIVEN no alarm actions WHEN synthesized THEN the alarms notify no one", () => {
    const quiet = synthFallback({ alarmActions: [] });
    for (const alarm of resourcesOfType(quiet, "aws_cloudwatch_metric_alarm").filter((candidate) => candidate.namespace === FALLBACK_METRICS.namespace)) {
      expect(alarm.alarm_actions).toBeUndefined();
    }
  });

  test("GIVEN a Spot ASG that buys only on-demand WHEN constructed THEN it refuses", () => {
    expect(() => synthFallback({ lever: { ...baseProps.lever, onDemandPercentageAboveBase: 100 } as SpotFallbackProps["lever"] })).toThrow(/has nothing to fall back from/);
  });
});
