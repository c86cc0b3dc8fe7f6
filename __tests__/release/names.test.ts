import { describe, expect, test } from "vitest";
import { environmentTargets, type ReleaseTarget } from "../../release/targets";
import type { EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { synthEnvironment, type Synthesized } from "../support/synth";
import { EXAMPLES } from "../support/examples";

/** Follows `${type.name.attribute}` to the attribute's literal value in the synthesized JSON (undefined when it is computed by AWS). */
function resolve(json: Synthesized, value: unknown): unknown {
  const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(String(value));
  if (!match) return value;
  return json.resource?.[match[1]]?.[match[2]]?.[match[3]];
}

function referenced(json: Synthesized, value: unknown): Record<string, any> {
  const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(String(value));
  if (!match) throw new Error(`not a reference: ${String(value)}`);
  return json.resource?.[match[1]]?.[match[2]] as Record<string, any>;
}

/** The names the stack gives a service: ECS service, its cluster, its task definition family and container. */
function synthesizedService(json: Synthesized, name: string) {
  const service = Object.values(json.resource?.aws_ecs_service ?? {}).find((candidate) => candidate.name === name) as Record<string, any>;
  const taskDefinition = referenced(json, service.task_definition);
  return {
    service: service.name as string,
    cluster: referenced(json, service.cluster).name as string,
    family: taskDefinition.family as string,
    containers: (JSON.parse(taskDefinition.container_definitions as string) as Array<{ name: string }>).map((container) => container.name),
    loadBalancerContainer: service.load_balancer?.[0]?.container_name as string | undefined,
  };
}

/** The names the stack gives a job with its own image, and where its schedule runs it. */
function synthesizedJob(json: Synthesized, target: ReleaseTarget) {
  const taskDefinition = Object.values(json.resource?.aws_ecs_task_definition ?? {}).find((candidate) => candidate.family === target.family) as Record<string, any>;
  // The job's schedule target is the one that runs a task (its failure rule targets a queue).
  const rule = Object.entries(json.resource?.aws_cloudwatch_event_target ?? {}).find(([id, candidate]) => id.startsWith(`job-${target.name}_`) && candidate.ecs_target)?.[1] as Record<string, any>;
  const ecsTarget = rule.ecs_target;
  return {
    family: taskDefinition?.family as string,
    containers: (JSON.parse(taskDefinition.container_definitions as string) as Array<{ name: string }>).map((container) => container.name),
    cluster: referenced(json, rule.arn).name as string,
    placement:
      ecsTarget.capacity_provider_strategy === undefined
        ? { launchType: ecsTarget.launch_type }
        : {
            capacityProviderStrategy: (ecsTarget.capacity_provider_strategy as Array<Record<string, unknown>>).map((item) => ({
              capacityProvider: resolve(json, item.capacity_provider),
              weight: item.weight,
              base: item.base,
            })),
          },
  };
}

const production = EXAMPLES.production;
const cases: Array<[string, EnvironmentInput]> = [
  ...Object.entries(ENVIRONMENTS),
  [
    "production with a job of its own pinned to Spot",
    { ...production, scheduledTasks: [...(production.scheduledTasks ?? []), { name: "reindex", schedule: "rate(1 hour)", image: "acme/reindex:1", capacityPool: "spot" }] },
  ],
];

describe.each(cases)("%s: the release tool's names are the synthesized names", (_name, input) => {
  const { json, config } = synthEnvironment(input);
  const targets = environmentTargets(config);

  test("every service and every job with its own image is a target, nothing else", () => {
    expect(targets.map((target) => `${target.kind}:${target.name}`)).toEqual([
      ...config.services.map((service) => `service:${service.name}`),
      ...config.scheduledTasks.filter((job) => job.image !== undefined).map((job) => `job:${job.name}`),
    ]);
  });

  test.each(targets.filter((target) => target.kind === "service").map((target) => [target.name, target] as const))("service %s", (_service, target) => {
    const synthesized = synthesizedService(json, target.service as string);
    expect({ service: target.service, cluster: target.cluster, family: target.family }).toEqual({
      service: synthesized.service,
      cluster: synthesized.cluster,
      family: synthesized.family,
    });
    expect(synthesized.containers).toEqual([target.container]);
    if (synthesized.loadBalancerContainer !== undefined) expect(synthesized.loadBalancerContainer).toBe(target.container);
    expect(target.region).toBe((json.provider?.aws?.[0] as { region: string }).region);
  });

  const jobs = targets.filter((target) => target.kind === "job");
  if (jobs.length > 0) {
    test.each(jobs.map((target) => [target.name, target] as const))("job %s (family, container, cluster and the capacity its schedule uses)", (_job, target) => {
      const synthesized = synthesizedJob(json, target);
      expect(synthesized.family).toBe(target.family);
      expect(synthesized.containers).toEqual([target.container]);
      expect(synthesized.cluster).toBe(target.cluster);
      expect(synthesized.placement).toEqual(target.placement);
    });
  }
});
