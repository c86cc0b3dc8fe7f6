import { afterEach, beforeEach, describe, expect, test, vi, type MockInstance } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  ResourceContentionFault,
  ScalingActivityInProgressFault,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { DescribeSpotFleetRequestHistoryCommand, DescribeSpotFleetRequestsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetParameterCommand, InternalServerError, ParameterNotFound, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ConfigError, loadConfig } from "../../lambdas/spot-fallback/config";
import { decide, initialState, type FallbackSettings, type FallbackState, type Observation } from "../../lambdas/spot-fallback/controller";
import { handler, tick } from "../../lambdas/spot-fallback/handler";
import { isSpotCapacityFailure } from "../../lambdas/spot-fallback/capacity-providers";
import { FALLBACK_METRICS, metricsDocument } from "../../lambdas/spot-fallback/metrics";
import { parseState } from "../../lambdas/spot-fallback/state";

const autoscaling = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const clients = { autoscaling: new AutoScalingClient({}), ec2: new EC2Client({}), ssm: new SSMClient({}) };
const NOW = Date.parse("2026-12-06T12:00:00Z");
const minutes = (n: number) => n * 60_000;

const SETTINGS: FallbackSettings = {
  sustainSeconds: 180,
  errorWindowSeconds: 300,
  settleSeconds: 180,
  maxAddedInstances: 10,
  recoveryHoldSeconds: 900,
  maxRecoveryHoldSeconds: 3600,
  recoveryStepInstances: 2,
  recoveryStepIntervalSeconds: 300,
};

const CP_ENV = {
  MODE: "capacity-providers",
  CLUSTER_NAME: "acme-api-production",
  STATE_PARAMETER_NAME: "/acme-api/production/spot-fallback/state",
  SPOT_GROUP_NAME: "acme-api-spot-production",
  BASE_CAPACITY: "1",
  ON_DEMAND_PERCENTAGE_ABOVE_BASE: "0",
  SUSTAIN_SECONDS: "180",
  ERROR_WINDOW_SECONDS: "300",
  SETTLE_SECONDS: "180",
  MAX_ADDED_INSTANCES: "10",
  RECOVERY_HOLD_SECONDS: "900",
  MAX_RECOVERY_HOLD_SECONDS: "3600",
  RECOVERY_STEP_INSTANCES: "2",
  RECOVERY_STEP_INTERVAL_SECONDS: "300",
};
const FLEET_ENV = {
  ...Object.fromEntries(Object.entries(CP_ENV).filter(([key]) => !["SPOT_GROUP_NAME", "BASE_CAPACITY", "ON_DEMAND_PERCENTAGE_ABOVE_BASE"].includes(key))),
  MODE: "spot-fleet",
  SPOT_FLEET_REQUEST_ID: "sfr-0123abcd-4567-89ab-cdef-0123456789ab",
  ON_DEMAND_GROUP_NAME: "acme-api-on-demand-staging",
  ON_DEMAND_FLOOR: "0",
  ON_DEMAND_INSTANCE_WEIGHT: "2",
};

const sdkError = <T>(ErrorClass: new (options: { message: string; $metadata: object }) => T, message: string): T => new ErrorClass({ message, $metadata: {} });

let stdout: MockInstance<typeof process.stdout.write>;
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});
afterEach(() => {
  autoscaling.reset();
  ec2.reset();
  ssm.reset();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe("decide: the control loop's rules, one tick at a time", () => {
  const fallback = (extra: Partial<FallbackState> = {}): FallbackState => ({ phase: "fallback", holdSeconds: 900, fallbackSince: NOW - minutes(30), ...extra });
  const seen = (added: number, shortfall: number, errorsMinutesAgo: number[] = []): Observation => ({ added, shortfall, capacityErrorTimes: errorsMinutesAgo.map((ago) => NOW - minutes(ago)) });

  test.each<[string, Observation, FallbackState, { added: number; phase: string; events: string[] }]>([
    ["capacity missing but no capacity errors (launches in progress)", seen(0, 3), initialState(SETTINGS), { added: 0, phase: "spot", events: [] }],
    ["capacity errors but nothing missing (another pool filled it)", seen(0, 0, [1]), initialState(SETTINGS), { added: 0, phase: "spot", events: [] }],
    ["starving for 2 minutes of a 3-minute sustain", seen(0, 3, [2, 1]), initialState(SETTINGS), { added: 0, phase: "spot", events: [] }],
    ["starving for 3 minutes", seen(0, 3, [3, 2, 1]), initialState(SETTINGS), { added: 3, phase: "fallback", events: ["fallback-started"] }],
    ["starving, shortfall above the cap", seen(0, 14, [4]), initialState(SETTINGS), { added: 10, phase: "fallback", events: ["fallback-started"] }],
    ["in fallback, more missing, last raise 2 minutes ago (settling)", seen(3, 2, [0]), fallback({ lastRaiseAt: NOW - minutes(2) }), { added: 3, phase: "fallback", events: [] }],
    ["in fallback, more missing, last raise 3 minutes ago", seen(3, 2, [0]), fallback({ lastRaiseAt: NOW - minutes(3) }), { added: 5, phase: "fallback", events: ["raised"] }],
    ["in fallback, quiet for 14 minutes", seen(4, 0), fallback({ lastErrorAt: NOW - minutes(14), lastRaiseAt: NOW - minutes(20) }), { added: 4, phase: "fallback", events: [] }],
    ["in fallback, quiet for 15 minutes", seen(4, 0), fallback({ lastErrorAt: NOW - minutes(15), lastRaiseAt: NOW - minutes(20) }), { added: 2, phase: "fallback", events: ["stepped-down"] }],
    ["stepping back, 4 minutes after the last step", seen(2, 0), fallback({ lastErrorAt: NOW - minutes(40), lastStepDownAt: NOW - minutes(4), levelBeforeStepDown: 4 }), { added: 2, phase: "fallback", events: [] }],
    ["stepping back, the last 1 given back", seen(1, 0), fallback({ lastErrorAt: NOW - minutes(40), lastStepDownAt: NOW - minutes(5), levelBeforeStepDown: 3 }), { added: 0, phase: "fallback", events: ["stepped-down"] }],
    ["nothing held, the last step an interval ago", seen(0, 0), fallback({ lastErrorAt: NOW - minutes(40), lastStepDownAt: NOW - minutes(5), levelBeforeStepDown: 1 }), { added: 0, phase: "spot", events: ["recovered"] }],
    ["a capacity error after the last step (flapping)", seen(2, 0, [1]), fallback({ lastErrorAt: NOW - minutes(40), lastStepDownAt: NOW - minutes(3), levelBeforeStepDown: 4 }), { added: 4, phase: "fallback", events: ["flapped"] }],
    ["holding on-demand with no memory of it (state lost)", seen(3, 0), initialState(SETTINGS), { added: 3, phase: "fallback", events: ["adopted"] }],
  ])("GIVEN %s WHEN decided THEN the level and phase are as expected", (_case, observation, state, expected) => {
    const decision = decide(observation, state, SETTINGS, NOW);
    expect({ added: decision.added, phase: decision.state.phase, events: decision.events }).toEqual(expected);
  });

  test("GIVEN a flap WHEN decided THEN the hold doubles, never past the maximum, and a long quiet spell resets it", () => {
    const flap = (holdSeconds: number) => decide(seen(2, 0, [1]), fallback({ holdSeconds, lastStepDownAt: NOW - minutes(3), levelBeforeStepDown: 4 }), SETTINGS, NOW).state.holdSeconds;
    expect(flap(900)).toBe(1800);
    expect(flap(2400)).toBe(3600);
    const quiet = decide(seen(0, 0), { phase: "spot", holdSeconds: 3600, lastErrorAt: NOW - minutes(60) }, SETTINGS, NOW);
    expect(quiet.state.holdSeconds).toBe(900);
  });

  test("GIVEN starving for the sustain WHEN decided THEN the streak is timed from its first error, not from the first tick that saw it", () => {
    // The controller's first look at minute 0 already sees errors from 3 minutes ago.
    expect(decide(seen(0, 2, [3, 2]), initialState(SETTINGS), SETTINGS, NOW).added).toBe(2);
  });

  test("GIVEN a lowered cap while holding more WHEN stepping back THEN it steps down normally and a flap never restores beyond the cap", () => {
    const capped = { ...SETTINGS, maxAddedInstances: 3 };
    expect(decide(seen(2, 0, [1]), fallback({ lastStepDownAt: NOW - minutes(2), levelBeforeStepDown: 6 }), capped, NOW).added).toBe(3);
  });
});

describe("handler: capacity-providers mode against the Auto Scaling API", () => {
  const group = (desired: number, instances: number, base = 1) => ({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: CP_ENV.SPOT_GROUP_NAME,
        MinSize: 0,
        MaxSize: 30,
        DesiredCapacity: desired,
        DefaultCooldown: 300,
        AvailabilityZones: ["eu-west-1a"],
        HealthCheckType: "EC2",
        CreatedTime: new Date(NOW - minutes(600)),
        MixedInstancesPolicy: { InstancesDistribution: { OnDemandBaseCapacity: base, OnDemandPercentageAboveBaseCapacity: 0 } },
        Instances: Array.from({ length: instances }, (_, i) => ({ InstanceId: `i-${i}`, AvailabilityZone: "eu-west-1a", LifecycleState: i === 0 ? ("Pending" as const) : ("InService" as const), HealthStatus: "Healthy", ProtectedFromScaleIn: true })),
      },
    ],
  });
  const failedSpotLaunch = (minutesAgo: number) => ({
    ActivityId: `a-${minutesAgo}`,
    AutoScalingGroupName: CP_ENV.SPOT_GROUP_NAME,
    Cause: "At 2026-12-06T11:57:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 5 to 8.",
    StartTime: new Date(NOW - minutes(minutesAgo)),
    StatusCode: "Failed" as const,
    StatusMessage: "Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that matches your request. Launching EC2 instance failed.",
    Progress: 100,
  });

  beforeEach(() => {
    ssm.on(GetParameterCommand).rejects(sdkError(ParameterNotFound, "Parameter /acme-api/production/spot-fallback/state not found."));
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    autoscaling.on(UpdateAutoScalingGroupCommand).resolves({});
  });

  test("GIVEN Spot failing for 4 minutes with 3 instances missing and no state yet WHEN a tick runs THEN only the Spot group's on-demand base rises by 3 above the configured 1, and the state is saved", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(group(8, 5));
    autoscaling.on(DescribeScalingActivitiesCommand).resolves({ Activities: [failedSpotLaunch(1), failedSpotLaunch(4)] });
    const result = await tick(clients, loadConfig(CP_ENV), NOW);
    expect(result.events).toEqual(["fallback-started"]);
    expect(autoscaling).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
    expect(autoscaling).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: CP_ENV.SPOT_GROUP_NAME,
      MixedInstancesPolicy: { InstancesDistribution: { OnDemandBaseCapacity: 4 } },
    });
    // Nothing but the base is sent: no launch template (no ec2:RunInstances check), no sizes, no percentage.
    const input = autoscaling.commandCalls(UpdateAutoScalingGroupCommand)[0].args[0].input;
    expect(Object.keys(input).sort()).toEqual(["AutoScalingGroupName", "MixedInstancesPolicy"]);
    expect(autoscaling).toHaveReceivedCommandWith(DescribeScalingActivitiesCommand, { AutoScalingGroupName: CP_ENV.SPOT_GROUP_NAME });
    const saved = JSON.parse(ssm.commandCalls(PutParameterCommand)[0].args[0].input.Value ?? "");
    expect(saved).toMatchObject({ phase: "fallback", lastRaiseAt: NOW, fallbackSince: NOW });
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: CP_ENV.STATE_PARAMETER_NAME, Overwrite: true });
  });

  test("GIVEN failed activities that are not Spot capacity errors WHEN classified THEN only Spot launch failures count", () => {
    expect(isSpotCapacityFailure(failedSpotLaunch(1))).toBe(true);
    expect(isSpotCapacityFailure({ ...failedSpotLaunch(1), StatusCode: "Successful" })).toBe(false);
    expect(isSpotCapacityFailure({ ...failedSpotLaunch(1), StatusMessage: "The security group 'sg-1' does not exist. Launching EC2 instance failed." })).toBe(false);
    expect(isSpotCapacityFailure({ ...failedSpotLaunch(1), StatusMessage: "Could not launch On-Demand Instances. InsufficientInstanceCapacity - We currently do not have sufficient m7i.large capacity." })).toBe(false);
  });

  test("GIVEN Spot healthy and the configured base changed to 2 WHEN a tick runs THEN the group is put on its new floor (config reaches the group through the controller)", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(group(6, 6, 1));
    autoscaling.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
    const result = await tick(clients, loadConfig({ ...CP_ENV, BASE_CAPACITY: "2" }), NOW);
    expect(result).toMatchObject({ added: 0, applied: true });
    expect(autoscaling).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, { MixedInstancesPolicy: { InstancesDistribution: { OnDemandBaseCapacity: 2 } } });
  });

  test("GIVEN nothing to change WHEN a tick runs THEN nothing is written and the metrics say 0 as one EMF document on stdout", async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: CP_ENV.STATE_PARAMETER_NAME, Type: "String", Value: JSON.stringify(initialState(SETTINGS)) } });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(group(6, 6, 1));
    autoscaling.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
    await tick(clients, loadConfig(CP_ENV), NOW);
    expect(autoscaling).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
    expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
    expect(stdout).toHaveBeenCalledTimes(1);
    const doc = JSON.parse(String(stdout.mock.calls[0][0]));
    expect(doc).toEqual(metricsDocument("acme-api-production", { fallbackActive: 0, onDemandInstancesAdded: 0, spotShortfall: 0, fallbackCapped: 0 }, NOW));
    expect(doc._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: FALLBACK_METRICS.namespace, Dimensions: [[FALLBACK_METRICS.dimension]] });
    expect(doc._aws.CloudWatchMetrics[0].Metrics.map((metric: { Name: string }) => metric.Name)).toEqual(Object.values(FALLBACK_METRICS.names));
    expect(String(stdout.mock.calls[0][0]).endsWith("\n")).toBe(true);
  });

  test.each([
    ["the group is being changed (ResourceContentionFault)", sdkError(ResourceContentionFault, "You already have a pending update to an Auto Scaling resource.")],
    ["a scaling activity is in progress (ScalingActivityInProgressFault)", sdkError(ScalingActivityInProgressFault, "Scaling activity is in progress.")],
  ])("GIVEN the update refused because %s WHEN a tick runs THEN it fails without saving a state it did not reach (the next tick retries)", async (_case, error) => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(group(8, 5));
    autoscaling.on(DescribeScalingActivitiesCommand).resolves({ Activities: [failedSpotLaunch(1), failedSpotLaunch(4)] });
    autoscaling.on(UpdateAutoScalingGroupCommand).rejects(error);
    await expect(tick(clients, loadConfig(CP_ENV), NOW)).rejects.toBe(error);
    expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
  });

  test("GIVEN the state parameter unreadable (InternalServerError) WHEN a tick runs THEN it fails before touching the group", async () => {
    const error = sdkError(InternalServerError, "An error occurred on the server side.");
    ssm.on(GetParameterCommand).rejects(error);
    await expect(tick(clients, loadConfig(CP_ENV), NOW)).rejects.toBe(error);
    expect(autoscaling).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
  });

  test("GIVEN the group does not exist WHEN a tick runs THEN it fails naming it", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    autoscaling.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
    await expect(tick(clients, loadConfig(CP_ENV), NOW)).rejects.toThrow(/acme-api-spot-production not found/);
  });

  test("GIVEN the Lambda environment WHEN the scheduled handler runs THEN it reads its config per invocation and ticks", async () => {
    for (const [key, value] of Object.entries(CP_ENV)) vi.stubEnv(key, value);
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(group(6, 6, 1));
    autoscaling.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
    await expect(handler()).resolves.toMatchObject({ added: 0, events: [] });
  });
});

describe("handler: spot-fleet mode against the EC2 and Auto Scaling APIs", () => {
  const fleet = (target: number, fulfilled: number) => ({
    SpotFleetRequestConfigs: [
      {
        SpotFleetRequestId: FLEET_ENV.SPOT_FLEET_REQUEST_ID,
        SpotFleetRequestState: "active" as const,
        SpotFleetRequestConfig: { IamFleetRole: "arn:aws:iam::123456789012:role/fleet", TargetCapacity: target, FulfilledCapacity: fulfilled },
      },
    ],
  });
  const onDemandGroup = (desired: number) => ({
    AutoScalingGroups: [
      { AutoScalingGroupName: FLEET_ENV.ON_DEMAND_GROUP_NAME, MinSize: 0, MaxSize: 4, DesiredCapacity: desired, DefaultCooldown: 300, AvailabilityZones: ["eu-west-1a"], HealthCheckType: "EC2", CreatedTime: new Date(NOW - minutes(600)) },
    ],
  });
  const blacklisted = (minutesAgo: number) => ({
    Timestamp: new Date(NOW - minutes(minutesAgo)),
    EventType: "error" as const,
    EventInformation: { EventSubType: "allLaunchSpecsTemporarilyBlacklisted", EventDescription: "InsufficientInstanceCapacity" },
  });

  beforeEach(() => {
    ssm.on(GetParameterCommand).rejects(sdkError(ParameterNotFound, "not found"));
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    autoscaling.on(SetDesiredCapacityCommand).resolves({});
  });

  test("GIVEN the fleet 5 units short for 4 minutes (weight 2 per on-demand instance) WHEN a tick runs THEN the on-demand ASG is sized to 3, asking history for errors only since the look-back", async () => {
    ec2.on(DescribeSpotFleetRequestsCommand).resolves(fleet(8, 3));
    ec2.on(DescribeSpotFleetRequestHistoryCommand).resolves({ HistoryRecords: [blacklisted(1), blacklisted(4)] });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(onDemandGroup(0));
    const result = await tick(clients, loadConfig(FLEET_ENV), NOW);
    expect(result).toMatchObject({ added: 3, applied: true, events: ["fallback-started"] });
    expect(autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: FLEET_ENV.ON_DEMAND_GROUP_NAME, DesiredCapacity: 3, HonorCooldown: false });
    expect(ec2).toHaveReceivedCommandWith(DescribeSpotFleetRequestHistoryCommand, {
      SpotFleetRequestId: FLEET_ENV.SPOT_FLEET_REQUEST_ID,
      EventType: "error",
      StartTime: new Date(NOW - (300 + 180) * 1000),
    });
  });

  test("GIVEN 3 on-demand instances already covering the missing units WHEN a tick runs THEN nothing more is added", async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ phase: "fallback", holdSeconds: 900, lastRaiseAt: NOW - minutes(10) }) } });
    ec2.on(DescribeSpotFleetRequestsCommand).resolves(fleet(8, 3));
    ec2.on(DescribeSpotFleetRequestHistoryCommand).resolves({ HistoryRecords: [blacklisted(0)] });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(onDemandGroup(3));
    const result = await tick(clients, loadConfig(FLEET_ENV), NOW);
    expect(result).toMatchObject({ added: 3, applied: false, events: [] });
    expect(autoscaling).not.toHaveReceivedCommand(SetDesiredCapacityCommand);
  });

  test("GIVEN the fleet request gone WHEN a tick runs THEN it fails naming it", async () => {
    ec2.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [] });
    ec2.on(DescribeSpotFleetRequestHistoryCommand).resolves({ HistoryRecords: [] });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves(onDemandGroup(0));
    await expect(tick(clients, loadConfig(FLEET_ENV), NOW)).rejects.toThrow(/sfr-0123abcd-4567-89ab-cdef-0123456789ab not found/);
  });
});

describe("config and state", () => {
  test.each([
    ["MODE", { ...CP_ENV, MODE: "fargate" }, /MODE is "fargate": expected capacity-providers or spot-fleet/],
    ["CLUSTER_NAME", { ...CP_ENV, CLUSTER_NAME: " " }, /Missing required environment variable CLUSTER_NAME/],
    ["ON_DEMAND_PERCENTAGE_ABOVE_BASE", { ...CP_ENV, ON_DEMAND_PERCENTAGE_ABOVE_BASE: "100" }, /ON_DEMAND_PERCENTAGE_ABOVE_BASE is "100": expected an integer from 0 to 99/],
    ["ON_DEMAND_INSTANCE_WEIGHT", { ...FLEET_ENV, ON_DEMAND_INSTANCE_WEIGHT: "1.5" }, /ON_DEMAND_INSTANCE_WEIGHT is "1.5"/],
    ["SPOT_FLEET_REQUEST_ID", { ...FLEET_ENV, SPOT_FLEET_REQUEST_ID: undefined }, /SPOT_FLEET_REQUEST_ID/],
  ])("GIVEN a bad %s WHEN loaded THEN a ConfigError names it", (_name, env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  test.each([
    ["no value", undefined],
    ["not JSON", "{oops"],
    ["JSON but no object", "42"],
  ])("GIVEN a state with %s WHEN parsed THEN it starts afresh", (_case, text) => {
    expect(parseState(text, SETTINGS)).toEqual(initialState(SETTINGS));
  });

  test("GIVEN a state with stray and wrong-typed fields WHEN parsed THEN only well-typed times are kept", () => {
    expect(parseState(JSON.stringify({ phase: "fallback", holdSeconds: -5, lastRaiseAt: "yesterday", lastErrorAt: NOW, extra: 1 }), SETTINGS)).toEqual({ phase: "fallback", holdSeconds: 900, lastErrorAt: NOW });
  });
});
