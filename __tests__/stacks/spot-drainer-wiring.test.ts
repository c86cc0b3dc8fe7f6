import { describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../stacks/config";
import { dataSourcesOfType, resourcesOfType, synthEnvironment, type Synthesized, synthExample } from "../support/synth";
import { EXAMPLES } from "../support/examples";

const SPOT = "EC2 Spot Instance Interruption Warning";
const REBALANCE = "EC2 Instance Rebalance Recommendation";
const LIFECYCLE = "EC2 Instance-terminate Lifecycle Action";

function drainerFunction(json: Synthesized): Record<string, any> | undefined {
  const found = resourcesOfType(json, "aws_lambda_function").filter((fn) => /spot-drainer/.test(fn.function_name));
  if (found.length > 1) throw new Error(`expected at most one drainer, found ${found.length}`);
  return found[0];
}

/** The detail types of the EC2 and Auto Scaling events rules listen to (ECS task events are the jobs' failure signals). */
function detailTypes(json: Synthesized): string[] {
  return resourcesOfType(json, "aws_cloudwatch_event_rule")
    .filter((rule) => rule.event_pattern !== undefined)
    .map((rule) => JSON.parse(rule.event_pattern as string) as { source: string[]; "detail-type": string[] })
    .filter((pattern) => !pattern.source.includes("aws.ecs"))
    .map((pattern) => pattern["detail-type"][0])
    .sort();
}

function deregisterResources(json: Synthesized): string[] {
  // The drainer's own documents (ECS's load balancer role of a traffic-shifting service deregisters too).
  return Object.entries(json.data?.aws_iam_policy_document ?? {})
    .filter(([id]) => id.startsWith("spot-drainer"))
    .map(([, document]) => document as { statement?: unknown[] })
    .flatMap((document) => (document.statement ?? []) as Array<{ actions: string[]; resources?: string[] }>)
    .filter((statement) => statement.actions.includes("elasticloadbalancing:DeregisterTargets"))
    .flatMap((statement) => statement.resources ?? []);
}

/**
 * Staging without rebalance draining: its Spot Fleet must then not rebalance either (the config refuses one without the other).
 * Without the drainer, the Spot fallback goes too: only the drainer drains the on-demand ASG it shrinks.
 */
const stagingWithoutRebalance = (spotDrainer: NonNullable<EnvironmentInput["spotDrainer"]>): EnvironmentInput => {
  const capacity = EXAMPLES.staging.capacity;
  return {
    ...EXAMPLES.staging,
    ...(spotDrainer.enabled === false && { spotFallback: { enabled: false } }),
    capacity: { ...capacity, spotFleet: capacity.spotFleet && { ...capacity.spotFleet, capacityRebalance: false } },
    spotDrainer: { ...spotDrainer, drainOnRebalance: false },
    // The drill rehearses the drainer: without one there is nothing to rehearse.
    ...(spotDrainer.enabled === false && { spotDrill: { enabled: false } }),
  };
};

const targetGroupRef = (service: string) => new RegExp(`^\\$\\{aws_lb_target_group\\.service-${service}_[\\w-]+\\.arn\\}$`);

describe("Spot drainer in the platform stack", () => {
  test("production (capacity providers): a backstop on interruption warnings only, over every target group of the web services, the canary's alternate included", () => {
    // GIVEN / WHEN
    const { json, stack } = synthExample("production");

    // THEN
    expect(detailTypes(json)).toEqual([SPOT]);
    const fn = drainerFunction(json);
    // One execution per Spot instance the pool can hold (capacity.spot.maxSize 30).
    expect(fn).toMatchObject({ function_name: "acme-api-spot-drainer-production", timeout: 120, reserved_concurrent_executions: 30 });
    expect(fn?.environment.variables).toMatchObject({
      CLUSTER_NAME: "acme-api-production",
      DEADLINE_MARGIN_SECONDS: "10",
      DRAIN_ON_REBALANCE: "false",
      STOP_TIMEOUT_SECONDS: "30",
    });
    // The daemon has no target group; admin has one, and the canary api two: ECS swaps which serves production each deployment.
    const groups = Object.keys(json.resource?.aws_lb_target_group ?? {}).map((id) => `\${aws_lb_target_group.${id}.arn}`);
    const alternate = groups.filter((ref) => /^\$\{aws_lb_target_group\.service-api_alternate-target-group_[\w-]+\.arn\}$/.test(ref));
    expect(alternate).toHaveLength(1);
    expect(deregisterResources(json)).toEqual([expect.stringMatching(targetGroupRef("api")), ...alternate, expect.stringMatching(targetGroupRef("admin"))]);
    expect([...deregisterResources(json)].sort()).toEqual([...groups].sort());
    expect(fn?.environment.variables.TARGET_GROUP_ARNS).toMatch(
      /^\$\{join\(",", \[aws_lb_target_group\.service-api_target-group_[\w-]+\.arn, aws_lb_target_group\.service-api_alternate-target-group_[\w-]+\.arn, aws_lb_target_group\.service-admin_[\w-]+\.arn\]\)\}$/,
    );
    expect(stack.spotDrainer?.rebalanceRuleArn).toBeUndefined();
    expect(Object.keys(json.output ?? {})).toEqual(expect.arrayContaining(["spot_drainer_function_name", "spot_drainer_failure_queue_url"]));
  });

  test("staging (Spot Fleet): the only drain path, on warnings, rebalance recommendations and the on-demand ASG's terminations", () => {
    // GIVEN staging with drainOnRebalance / WHEN synthesized
    const { json } = synthExample("staging");

    // THEN
    expect(detailTypes(json)).toEqual([REBALANCE, LIFECYCLE, SPOT]);
    const names = resourcesOfType(json, "aws_cloudwatch_event_rule").map((rule) => rule.name);
    expect(names).toEqual(expect.arrayContaining(["acme-api-spot-interruption-staging", "acme-api-spot-rebalance-staging"]));
    expect(drainerFunction(json)?.environment.variables).toMatchObject({ CLUSTER_NAME: "acme-api-staging", DRAIN_ON_REBALANCE: "true" });
    expect(deregisterResources(json)).toEqual([expect.stringMatching(targetGroupRef("api"))]);
    expect(resourcesOfType(json, "aws_sqs_queue").map((queue) => queue.name)).toContain("acme-api-spot-drainer-failures-staging");
  });

  test("staging without drainOnRebalance: interruption warnings and terminations only", () => {
    const { json } = synthEnvironment(stagingWithoutRebalance({}));
    expect(detailTypes(json)).toEqual([LIFECYCLE, SPOT]);
    expect(drainerFunction(json)?.environment.variables.DRAIN_ON_REBALANCE).toBe("false");
  });

  test.each<[string, Partial<EnvironmentInput["capacity"]>, (services: NonNullable<EnvironmentInput["services"]>) => void, string]>([
    ["the agent default when it is longest", { containerStopTimeoutSeconds: 40 }, () => undefined, "40"],
    ["a service's own stop timeout when it is longest", {}, (services) => Object.assign(services[0], { stopTimeoutSeconds: 45 }), "45"],
    ["a daemon's stop timeout too", {}, (services) => Object.assign(services[2], { stopTimeoutSeconds: 50 }), "50"],
  ])("STOP_TIMEOUT_SECONDS is the longest stop timeout on the instances: %s", (_case, capacity, change, expected) => {
    // GIVEN production with one stop timeout raised
    const input = structuredClone(EXAMPLES.production);
    change(input.services ?? []);
    // WHEN synthesized
    const { json } = synthEnvironment({ ...input, capacity: { ...input.capacity, ...capacity } });
    // THEN
    expect(drainerFunction(json)?.environment.variables.STOP_TIMEOUT_SECONDS).toBe(expected);
  });

  test("reserved concurrency and margin come from config", () => {
    const { json } = synthEnvironment({ ...EXAMPLES.production, spotDrainer: { reservedConcurrency: 50, deadlineMarginSeconds: 5 } });
    expect(drainerFunction(json)).toMatchObject({ reserved_concurrent_executions: 50, environment: { variables: { DEADLINE_MARGIN_SECONDS: "5" } } });
  });

  test("disabled: no function, rules, queue or alarms", () => {
    const { json, stack } = synthEnvironment(stagingWithoutRebalance({ enabled: false }));
    expect(stack.spotDrainer).toBeUndefined();
    expect(drainerFunction(json)).toBeUndefined();
    expect(detailTypes(json)).toEqual([]);
    // (the scheduled jobs' dead-letter queue stays)
    expect(resourcesOfType(json, "aws_sqs_queue").map((queue) => queue.name)).not.toContain("acme-api-spot-drainer-failures-staging");
    expect(json.output?.spot_drainer_function_name).toBeUndefined();
  });
});

const hooks = (json: Synthesized) => resourcesOfType(json, "aws_autoscaling_lifecycle_hook");
const onDemandGroupRef = (attribute: string) => new RegExp(`^\\$\\{aws_autoscaling_group\\.compute_on-demand-group_[\\w-]+\\.${attribute}\\}$`);

describe("ASG termination drain in the platform stack", () => {
  test("staging (spot-fleet): the on-demand ASG's termination hook is drained and completed by the drainer", () => {
    // GIVEN / WHEN
    const { json, stack } = synthExample("staging");

    // THEN one hook, on the on-demand ASG, with the configured heartbeat
    expect(hooks(json)).toHaveLength(1);
    expect(hooks(json)[0]).toMatchObject({
      name: "acme-api-drain-staging",
      autoscaling_group_name: expect.stringMatching(onDemandGroupRef("name")),
      lifecycle_transition: "autoscaling:EC2_INSTANCE_TERMINATING",
      default_result: "CONTINUE",
      heartbeat_timeout: 600,
    });
    expect(stack.compute.drainHooks).toHaveLength(1);
    // AND the rule matches that group and hook only
    const rule = resourcesOfType(json, "aws_cloudwatch_event_rule").find((r) => r.name === "acme-api-asg-terminate-staging");
    const pattern = JSON.parse(rule?.event_pattern as string);
    expect(pattern.detail.AutoScalingGroupName).toEqual([expect.stringMatching(onDemandGroupRef("name"))]);
    expect(pattern.detail.LifecycleHookName).toEqual([expect.stringMatching(/^\$\{aws_autoscaling_lifecycle_hook\.[\w-]+\.name\}$/)]);
    // AND the function may complete actions on that group only, within the heartbeat
    const complete = dataSourcesOfType(json, "aws_iam_policy_document")
      .flatMap((document) => (document.statement ?? []) as Array<{ actions: string[]; resources?: string[] }>)
      .filter((statement) => statement.actions.includes("autoscaling:CompleteLifecycleAction"));
    expect(complete.flatMap((statement) => statement.resources)).toEqual([expect.stringMatching(onDemandGroupRef("arn"))]);
    expect(drainerFunction(json)).toMatchObject({ timeout: 660, environment: { variables: { LIFECYCLE_HEARTBEAT_SECONDS: "600" } } });
    expect(drainerFunction(json)?.environment.variables.LIFECYCLE_HOOK_NAMES).toMatch(/aws_autoscaling_lifecycle_hook\.[\w-]+\.name/);
  });

  test("spotDrainer.lifecycleHeartbeatSeconds sets the hook's heartbeat, the function's env and timeout", () => {
    const { json } = synthEnvironment({ ...EXAMPLES.staging, spotDrainer: { ...EXAMPLES.staging.spotDrainer, lifecycleHeartbeatSeconds: 300 } });
    expect(hooks(json)[0]).toMatchObject({ heartbeat_timeout: 300 });
    expect(drainerFunction(json)).toMatchObject({ timeout: 360, environment: { variables: { LIFECYCLE_HEARTBEAT_SECONDS: "300" } } });
  });

  test.each([
    ["production (capacity providers: managed draining covers the ASGs)", EXAMPLES.production],
    ["staging with the drainer disabled (nobody would complete the hook)", stagingWithoutRebalance({ enabled: false })],
  ])("%s: no hook, no lifecycle rule, no CompleteLifecycleAction", (_case, input) => {
    const { json, stack } = synthEnvironment(input);
    expect(hooks(json)).toEqual([]);
    expect(stack.compute.drainHooks).toEqual([]);
    expect(detailTypes(json)).not.toContain(LIFECYCLE);
    expect(JSON.stringify(dataSourcesOfType(json, "aws_iam_policy_document"))).not.toContain("autoscaling:CompleteLifecycleAction");
    expect(stack.spotDrainer?.lifecycleRuleArn).toBeUndefined();
  });
});
