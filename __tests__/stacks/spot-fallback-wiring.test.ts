import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand, SetDesiredCapacityCommand, UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeSpotFleetRequestHistoryCommand, DescribeSpotFleetRequestsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ENVIRONMENTS } from "../../stacks/environments";
import { loadConfig, type FallbackConfig } from "../../lambdas/spot-fallback/config";
import { tick } from "../../lambdas/spot-fallback/handler";
import { fallbackCap, onDemandFloor } from "../../stacks/config/spot-fallback";
import type { EnvironmentInput } from "../../stacks/config";
import { configProblems } from "../support/config";
import { resourcesOfType, synthEnvironment, type Synthesized } from "../support/synth";
import { EXAMPLES } from "../support/examples";

type Env = keyof typeof ENVIRONMENTS;
const ENVS = Object.keys(ENVIRONMENTS) as Env[];

const fallbackFunction = (json: Synthesized) => resourcesOfType(json, "aws_lambda_function").find((fn) => String(fn.function_name).includes("spot-fallback"));
const variablesOf = (json: Synthesized) => fallbackFunction(json)?.environment.variables as Record<string, string>;
/** The ASG a `${aws_autoscaling_group.<id>.name}` reference points to. */
const groupNamed = (json: Synthesized, reference: string) => {
  const id = /^\$\{aws_autoscaling_group\.([^.]+)\.name\}$/.exec(reference)?.[1];
  const group = id === undefined ? undefined : json.resource?.aws_autoscaling_group?.[id];
  if (!group) throw new Error(`${reference} is no ASG of the stack`);
  return group as Record<string, any>;
};

describe.each(ENVS)("the Spot fallback of %s", (env) => {
  const { json, config } = synthEnvironment(env);
  const variables = variablesOf(json);

  test("GIVEN the shipped environment WHEN synthesized THEN its controller moves the lever of its capacity mode, with the cap the config resolves", () => {
    expect(fallbackFunction(json)).toBeDefined();
    const loaded = loadConfig(variables);
    expect(loaded.capacity.mode).toBe(config.capacity.mode);
    expect(loaded.settings.maxAddedInstances).toBe(fallbackCap(config));
    if (loaded.capacity.mode === "capacity-providers") {
      const group = groupNamed(json, loaded.capacity.spotGroupName);
      expect(group.name).toBe(`${config.project}-spot-${config.environment}`);
      expect(loaded.capacity.baseCapacity).toBe(group.mixed_instances_policy.instances_distribution.on_demand_base_capacity);
    } else {
      const group = groupNamed(json, loaded.capacity.onDemandGroupName);
      expect(group.name).toBe(`${config.project}-on-demand-${config.environment}`);
      expect(loaded.capacity.onDemandFloor).toBe(onDemandFloor(config.capacity.onDemand));
      expect(loaded.capacity.onDemandFloor).toBe(group.desired_capacity ?? group.min_size);
      expect(loaded.settings.maxAddedInstances).toBeLessThanOrEqual(group.max_size - loaded.capacity.onDemandFloor);
    }
  });
});

/**
 * No drift after a fallback: the controller runs a fallback against mocked APIs; what it wrote is applied to the
 * group as Terraform's state would show it on the next refresh; the next plan is then the difference between
 * that state and the configuration outside `lifecycle.ignore_changes`. It must be empty, and every ignored
 * attribute of the group must be one the controller (or, for desired_capacity, its scaler) writes.
 */
describe("no plan drift after a fallback: ignore_changes covers exactly what the controller changes", () => {
  const autoscaling = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);
  const ssm = mockClient(SSMClient);
  const clients = { autoscaling: new AutoScalingClient({}), ec2: new EC2Client({}), ssm: new SSMClient({}) };
  const NOW = Date.parse("2026-12-06T12:00:00Z");

  /** Terraform attribute paths of aws_autoscaling_group, by the API field the controller writes. */
  const ATTRIBUTE_OF: Record<string, string> = {
    "MixedInstancesPolicy.InstancesDistribution.OnDemandBaseCapacity": "mixed_instances_policy[0].instances_distribution[0].on_demand_base_capacity",
    DesiredCapacity: "desired_capacity",
  };
  /** What else owns an ignored attribute: ECS managed scaling (capacity providers) or nothing but the fallback (spot-fleet's on-demand ASG). */
  const OWNED_ELSEWHERE = new Set(["desired_capacity"]);

  beforeEach(() => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "not found", $metadata: {} }));
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    autoscaling.on(UpdateAutoScalingGroupCommand).resolves({});
    autoscaling.on(SetDesiredCapacityCommand).resolves({});
  });
  afterEach(() => {
    autoscaling.reset();
    ec2.reset();
    ssm.reset();
    vi.restoreAllMocks();
  });

  /** Runs one tick of a sustained all-pools outage and returns the group name and the API fields it wrote. */
  async function fallBack(config: FallbackConfig): Promise<{ group: string; fields: Record<string, number> }> {
    const failure = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000);
    if (config.capacity.mode === "capacity-providers") {
      autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
        AutoScalingGroups: [
          {
            AutoScalingGroupName: config.capacity.spotGroupName,
            MinSize: 0,
            MaxSize: 30,
            DesiredCapacity: 6,
            DefaultCooldown: 300,
            AvailabilityZones: ["eu-west-1a"],
            HealthCheckType: "EC2",
            CreatedTime: failure(600),
            MixedInstancesPolicy: { InstancesDistribution: { OnDemandBaseCapacity: config.capacity.baseCapacity } },
            Instances: [],
          },
        ],
      });
      autoscaling.on(DescribeScalingActivitiesCommand).resolves({
        Activities: [4, 1].map((ago) => ({
          ActivityId: `a-${ago}`,
          AutoScalingGroupName: config.capacity.mode === "capacity-providers" ? config.capacity.spotGroupName : "",
          Cause: "capacity",
          StartTime: failure(ago),
          StatusCode: "Failed" as const,
          StatusMessage: "Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that matches your request. Launching EC2 instance failed.",
        })),
      });
    } else {
      ec2.on(DescribeSpotFleetRequestsCommand).resolves({ SpotFleetRequestConfigs: [{ SpotFleetRequestId: config.capacity.spotFleetRequestId, SpotFleetRequestConfig: { IamFleetRole: "arn:aws:iam::123456789012:role/x", TargetCapacity: 2, FulfilledCapacity: 0 } }] });
      ec2.on(DescribeSpotFleetRequestHistoryCommand).resolves({ HistoryRecords: [4, 1].map((ago) => ({ Timestamp: failure(ago), EventType: "error" as const, EventInformation: { EventSubType: "allLaunchSpecsTemporarilyBlacklisted" } })) });
      autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
        AutoScalingGroups: [
          { AutoScalingGroupName: config.capacity.onDemandGroupName, MinSize: 0, MaxSize: 2, DesiredCapacity: config.capacity.onDemandFloor, DefaultCooldown: 300, AvailabilityZones: ["eu-west-1a"], HealthCheckType: "EC2", CreatedTime: failure(600) },
        ],
      });
    }
    const result = await tick(clients, config, NOW);
    expect(result.added).toBeGreaterThan(0);
    const writes = [...autoscaling.commandCalls(UpdateAutoScalingGroupCommand), ...autoscaling.commandCalls(SetDesiredCapacityCommand)].map((call) => call.args[0].input as unknown as Record<string, unknown>);
    expect(writes).toHaveLength(1);
    const { AutoScalingGroupName, HonorCooldown: _honorCooldown, ...rest } = writes[0] as { AutoScalingGroupName: string; HonorCooldown?: boolean };
    return { group: AutoScalingGroupName, fields: flatten(rest) };
  }

  test.each(ENVS)("GIVEN %s after a fallback WHEN the next plan compares state with config THEN it shows no change, and nothing else is ignored", async (env) => {
    const { json } = synthEnvironment(env);
    const { group, fields } = await fallBack(loadConfig(variablesOf(json)));
    const resource = groupNamed(json, group);
    const written = Object.keys(fields).map((field) => {
      const attribute = ATTRIBUTE_OF[field];
      if (attribute === undefined) throw new Error(`the controller wrote ${field}: map it to its Terraform attribute here`);
      return attribute;
    });
    // The state after the next refresh: the configuration with what the controller wrote.
    const state = structuredClone(resource);
    Object.entries(fields).forEach(([field, value]) => setPath(state, ATTRIBUTE_OF[field], value));
    const ignored: string[] = resource.lifecycle?.ignore_changes ?? [];
    expect(planDiff(resource, state, ignored)).toEqual([]);
    // Without the ignore entries the same state is drift: the comparison sees it.
    expect(planDiff(resource, state, [])).toEqual(written.filter((path) => getPath(state, path) !== getPath(resource, path)));
    expect(written.every((path) => ignored.includes(path))).toBe(true);
    expect(ignored.filter((path) => !written.includes(path) && !OWNED_ELSEWHERE.has(path))).toEqual([]);
  });

  test("GIVEN the fallback disabled WHEN synthesized THEN no controller exists and Terraform keeps owning the Spot ASG's on-demand base", () => {
    const input: EnvironmentInput = { ...EXAMPLES.production, spotFallback: { enabled: false } };
    const { json } = synthEnvironment(input);
    expect(fallbackFunction(json)).toBeUndefined();
    expect(resourcesOfType(json, "aws_ssm_parameter")).toEqual([]);
    for (const group of resourcesOfType(json, "aws_autoscaling_group")) expect(group.lifecycle.ignore_changes).toEqual(["desired_capacity"]);
  });
});

describe("config rules of the Spot fallback", () => {
  test.each<[string, (env: any) => void, string[]]>([
    ["a cap above the Spot ASG's room", (env) => (env.spotFallback = { maxOnDemandInstances: 31 }), ["spotFallback.maxOnDemandInstances: must be <= 30 (capacity.spot.maxSize - capacity.spot.onDemandBaseCapacity): the fallback cannot grow its group past its maxSize (got 31)"]],
    ["a Spot ASG that buys no Spot", (env) => (env.capacity.spot.onDemandPercentageAboveBaseCapacity = 100), ["spotFallback.enabled: has nothing to do while capacity.spot.onDemandPercentageAboveBaseCapacity is 100 (the Spot ASG buys no Spot): set it to false"]],
    ["the same with the fallback off", (env) => ((env.capacity.spot.onDemandPercentageAboveBaseCapacity = 100), (env.spotFallback = { enabled: false })), []],
  ])("GIVEN production with %s WHEN validated THEN the problems are as expected", (_case, change, expected) => {
    const env = structuredClone(EXAMPLES.production) as EnvironmentInput;
    change(env);
    expect(configProblems(env)).toEqual(expected);
  });

  test.each<[string, (env: any) => void, string[]]>([
    ["a cap above the on-demand ASG's room", (env) => (env.spotFallback = { maxOnDemandInstances: 2 }), ["spotFallback.maxOnDemandInstances: must be <= 1 (capacity.onDemand.maxSize minus its configured size): the fallback cannot grow its group past its maxSize (got 2)"]],
  ])("GIVEN staging with %s WHEN validated THEN the problems are as expected", (_case, change, expected) => {
    const env = structuredClone(EXAMPLES.staging) as EnvironmentInput;
    change(env);
    expect(configProblems(env)).toEqual(expected);
  });
});

test("GIVEN staging's on-demand ASG raised to its maxSize WHEN validated THEN that is fine, and the fallback's cap is 0: it only detects and alarms", () => {
  const env = structuredClone(EXAMPLES.staging) as EnvironmentInput & { capacity: { onDemand: { minSize: number; maxSize: number; desiredCapacity?: number } } };
  env.capacity.onDemand = { ...env.capacity.onDemand, minSize: 1, desiredCapacity: 1, maxSize: 1 };
  expect(configProblems(env)).toEqual([]);
  expect(fallbackCap(synthEnvironment(env).config)).toBe(0);
});

function flatten(value: Record<string, unknown>, prefix = ""): Record<string, number> {
  return Object.entries(value).reduce<Record<string, number>>((out, [key, inner]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return typeof inner === "object" && inner !== null ? { ...out, ...flatten(inner as Record<string, unknown>, path) } : { ...out, [path]: inner as number };
  }, {});
}

/** Steps of a Terraform traversal such as `a[0].b[0].c`; a `[0]` into a block cdktf wrote as an object is that object. */
const steps = (path: string) => path.replace(/\[(\d+)\]/g, ".$1").split(".");
function getPath(root: unknown, path: string): unknown {
  return steps(path).reduce<unknown>((node, step) => (/^\d+$/.test(step) && !Array.isArray(node) ? node : (node as Record<string, unknown> | undefined)?.[step]), root);
}
function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = steps(path).filter((step) => !/^\d+$/.test(step));
  const last = parts.pop() as string;
  const parent = parts.reduce<Record<string, unknown>>((node, step) => (node[step] ??= {}) as Record<string, unknown>, root);
  parent[last] = value;
}

/** Leaf paths where state and config differ, outside `ignored` (Terraform's plan for in-place attributes). */
function planDiff(config: unknown, state: unknown, ignored: readonly string[], path = ""): string[] {
  const ignoredNormalized = ignored.map((entry) => steps(entry).filter((step) => !/^\d+$/.test(step)).join("."));
  const walk = (a: unknown, b: unknown, at: string): string[] => {
    if (ignoredNormalized.includes(at.replace(/^\./, ""))) return [];
    if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      return [...keys].flatMap((key) => walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`));
    }
    return a === b ? [] : [at.replace(/^\./, "")];
  };
  return walk(config, state, path).map((found) => ignored.find((entry) => steps(entry).filter((step) => !/^\d+$/.test(step)).join(".") === found) ?? toTraversal(found));
}
/** `mixed_instances_policy.instances_distribution.on_demand_base_capacity` as Terraform writes it for list blocks. */
const toTraversal = (dotted: string) => {
  const parts = dotted.split(".");
  return parts.map((part, i) => (i < parts.length - 1 ? `${part}[0]` : part)).join(".");
};
