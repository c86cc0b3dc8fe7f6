/**
 * What `cdktf deploy` will not change: a service's task definition is registered by Terraform once
 * and then owned by releases (the ECS service ignores `task_definition`), so a new `image`,
 * `environment` or `secrets` in the config registers a revision nobody runs.
 *
 * "What the stack registered" is read from the previous synth of the same stack in the output
 * directory (`cdktf.out/stacks/<env>/cdk.tf.json`): the last thing Terraform was given, known
 * without AWS access. So each change is reported once, on the synth that first contains it; a
 * fresh clone without a previous synth has no baseline and reports nothing.
 */

/** One service of an environment: its config name and its task definition family. */
export interface ReleasedService {
  readonly name: string;
  readonly family: string;
}

interface ContainerDefinition {
  readonly image?: string;
  readonly environment?: ReadonlyArray<{ name: string; value: string }>;
  readonly secrets?: ReadonlyArray<{ name: string; valueFrom: string }>;
}

type StackJson = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/** The first container of each task definition in a synthesized stack, by family. */
function containersByFamily(stack: StackJson): Map<string, ContainerDefinition> {
  const found = new Map<string, ContainerDefinition>();
  for (const definition of Object.values(stack.resource?.aws_ecs_task_definition ?? {})) {
    if (typeof definition.family !== "string" || typeof definition.container_definitions !== "string") continue;
    const containers = JSON.parse(definition.container_definitions) as ContainerDefinition[];
    if (containers[0]) found.set(definition.family, containers[0]);
  }
  return found;
}

const sorted = (entries: ReadonlyArray<{ name: string }> | undefined): string => JSON.stringify([...(entries ?? [])].sort((a, b) => a.name.localeCompare(b.name)));

/**
 * One warning per service whose image, environment or secrets differ between the previous and the
 * new synth of an environment's stack, saying that releases own the running revision and how to ship it.
 */
export function releaseDriftWarnings(environment: string, services: readonly ReleasedService[], previous: StackJson, next: StackJson): string[] {
  const before = containersByFamily(previous);
  const after = containersByFamily(next);
  return services.flatMap((service) => {
    const [old, current] = [before.get(service.family), after.get(service.family)];
    if (!old || !current) return [];
    const changed = [
      old.image !== current.image ? "image" : undefined,
      sorted(old.environment) !== sorted(current.environment) ? "environment" : undefined,
      sorted(old.secrets) !== sorted(current.secrets) ? "secrets" : undefined,
    ].filter((field): field is string => field !== undefined);
    if (changed.length === 0) return [];
    return [
      `${environment}: services[${service.name}] ${changed.join(", ")} changed since the last synth. cdktf deploy registers a new ` +
        `task definition revision, but the service keeps running the revision its last release deployed: releases own the running ` +
        `revision. Ship it with: npm run release -- deploy ${environment} ${service.name} --image ${current.image ?? "<image>"}`,
    ];
  });
}
