import { describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../stacks/config";
import { synthEnvironment, type Synthesized, synthExample } from "../support/synth";
import { EXAMPLES } from "../support/examples";

/**
 * No drift after a deployment: the changes ECS makes to a traffic-shifting service's resources during a
 * deployment (AWS ECS docs and hashicorp/terraform-provider-aws#45678: it swaps the service's primary and
 * alternate target groups and leaves the rules' forward weights on the new revision's group) are applied to
 * the synthesized JSON, standing in for the state Terraform refreshes; a plan compares every top-level
 * argument of every resource with the configuration and plans a change unless `lifecycle.ignore_changes` has it.
 */

type Block = Record<string, any>;

/** The state after one completed deployment of every traffic-shifting service, as ECS leaves it. */
function afterDeployment(json: Synthesized): Synthesized {
  const state = structuredClone(json);
  const rules = state.resource?.aws_lb_listener_rule ?? {};
  for (const service of Object.values(state.resource?.aws_ecs_service ?? {}) as Block[]) {
    for (const lb of (service.load_balancer ?? []) as Block[]) {
      const advanced = lb.advanced_configuration;
      if (!advanced) continue;
      const [blue, green] = [lb.target_group_arn, advanced.alternate_target_group_arn];
      // The new revision's group serves production: ECS reports it as the primary now.
      lb.target_group_arn = green;
      advanced.alternate_target_group_arn = blue;
      for (const ruleArn of [advanced.production_listener_rule, advanced.test_listener_rule].filter(Boolean)) {
        const id = /^\$\{aws_lb_listener_rule\.([^.]+)\.arn\}$/.exec(ruleArn)![1];
        rules[id].action = [{ type: "forward", forward: { target_group: [{ arn: blue, weight: 0 }, { arn: green, weight: 100 }] } }];
      }
    }
  }
  return state;
}

/** The arguments a plan would change, `type.id.argument`: differing from the state and not ignored. */
function plannedChanges(config: Synthesized, state: Synthesized): string[] {
  const planned: string[] = [];
  for (const [type, resources] of Object.entries(config.resource ?? {})) {
    for (const [id, block] of Object.entries(resources)) {
      const ignored = new Set<string>(((block as Block).lifecycle?.ignore_changes ?? []) as string[]);
      const current = state.resource?.[type]?.[id] as Block;
      for (const argument of new Set([...Object.keys(block), ...Object.keys(current)])) {
        if (argument === "lifecycle" || argument === "depends_on" || ignored.has(argument)) continue;
        if (JSON.stringify((block as Block)[argument]) !== JSON.stringify(current[argument])) planned.push(`${type}.${id}.${argument}`);
      }
    }
  }
  return planned;
}

/** The same configuration without any ignore_changes: what Terraform would fight ECS over. */
function withoutIgnoreChanges(json: Synthesized): Synthesized {
  const copy = structuredClone(json);
  for (const resources of Object.values(copy.resource ?? {})) for (const block of Object.values(resources)) delete (block as Block).lifecycle?.ignore_changes;
  return copy;
}

const blueGreenStaging: EnvironmentInput = {
  ...EXAMPLES.staging,
  network: { mode: "create", cidr: "10.20.0.0/16", natGateways: "single" },
  capacity: {
    architecture: "arm64",
    onDemand: { instanceTypes: ["m7g.large"], minSize: 1, maxSize: 4 },
    spot: { instanceTypes: ["m7g.large", "m6g.large"], minSize: 0, maxSize: 8 },
  },
  spotDrainer: { drainOnRebalance: false },
  services: (EXAMPLES.staging.services ?? []).map((service) =>
    service.name === "api" ? { ...service, networkMode: "awsvpc" as const, deployment: { strategy: "blue-green" as const, testTraffic: { value: "green" } } } : service,
  ),
};

describe.each<[string, () => Synthesized]>([
  ["production (canary api with test traffic)", () => synthExample("production").json],
  ["a blue/green variant of staging", () => synthEnvironment(blueGreenStaging).json],
])("%s: a deployment leaves nothing to plan", (_name, synth) => {
  const json = synth();
  const shifting = Object.keys(json.resource?.aws_ecs_service ?? {}).filter((id) => (json.resource!.aws_ecs_service[id] as Block).deployment_configuration !== undefined);

  test("GIVEN the state after a deployment WHEN planned THEN nothing changes", () => {
    expect(shifting.length).toBeGreaterThan(0);
    expect(plannedChanges(json, afterDeployment(json))).toEqual([]);
  });

  test("GIVEN the state after two deployments (back on the first group) WHEN planned THEN nothing changes", () => {
    expect(plannedChanges(json, afterDeployment(afterDeployment(json)))).toEqual([]);
  });

  test("GIVEN no ignore_changes WHEN planned THEN exactly the service's load balancer block and the two rules' actions would be reverted", () => {
    // What ECS changes is what is ignored: the simulation reaches exactly the ignored arguments, nothing else.
    const expected = shifting.flatMap((id) => {
      const advanced = (json.resource!.aws_ecs_service[id] as Block).load_balancer[0].advanced_configuration;
      const ruleIds = [advanced.production_listener_rule, advanced.test_listener_rule].filter(Boolean).map((arn: string) => /aws_lb_listener_rule\.([^.]+)\.arn/.exec(arn)![1]);
      return [`aws_ecs_service.${id}.load_balancer`, ...ruleIds.map((rule: string) => `aws_lb_listener_rule.${rule}.action`)];
    });
    expect(plannedChanges(withoutIgnoreChanges(json), afterDeployment(json)).sort()).toEqual(expected.sort());
  });
});
