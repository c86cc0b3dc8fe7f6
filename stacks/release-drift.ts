/**
 * What `cdktf deploy` does not ship by itself. Releases own the running revision: Terraform registers the config's
 * task definition in the config family (`<family>_config`) and a release (`npm run release -- deploy`) combines its
 * latest revision with an image. So a config change reaches the service and its jobs with the next release, and the
 * config's `image` is only what a new stack starts with.
 *
 * "What the stack registered" is read from the previous synth of the same stack in the output
 * directory (`cdktf.out/stacks/<env>/cdk.tf.json`): the last thing Terraform was given, known
 * without AWS access. So each change is reported once, on the synth that first contains it; a
 * fresh clone without a previous synth has no baseline and reports nothing.
 */

/** A service, or a scheduled job with an image of its own, and its released task definition family. */
export interface ReleasedTaskDefinition {
  readonly name: string;
  readonly kind: "service" | "job";
  readonly family: string;
}

type Json = Record<string, unknown>;
type StackJson = { resource?: Record<string, Record<string, Json>> };

/** The released family's task definition in a synthesized stack: task-level fields and its first container. */
function definitionsByFamily(stack: StackJson): Map<string, { task: Json; container: Json }> {
  const found = new Map<string, { task: Json; container: Json }>();
  for (const definition of Object.values(stack.resource?.aws_ecs_task_definition ?? {})) {
    if (typeof definition.family !== "string" || typeof definition.container_definitions !== "string") continue;
    const { container_definitions: containers, lifecycle: _lifecycle, depends_on: _dependsOn, ...task } = definition;
    const [container] = JSON.parse(containers as string) as Json[];
    if (container) found.set(definition.family, { task, container });
  }
  return found;
}

/** Order-insensitive for lists of named entries (environment, secrets), exact otherwise. */
function canonical(value: unknown): string {
  if (Array.isArray(value) && value.every((entry) => typeof entry === "object" && entry !== null && "name" in entry)) {
    return JSON.stringify([...value].sort((a, b) => String(a.name).localeCompare(String(b.name))));
  }
  return JSON.stringify(value);
}

function changedKeys(before: Json, after: Json, skip: readonly string[] = []): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !skip.includes(key));
  return keys.filter((key) => canonical(before[key]) !== canonical(after[key])).sort();
}

/**
 * One warning per kind of change of each service or job between the previous and the new synth, saying exactly how
 * it reaches what runs: configuration with the next release (keeping the running image), an image only with a release.
 */
export function releaseDriftWarnings(environment: string, released: readonly ReleasedTaskDefinition[], previous: StackJson, next: StackJson): string[] {
  const before = definitionsByFamily(previous);
  const after = definitionsByFamily(next);
  return released.flatMap((entry) => {
    const [old, current] = [before.get(entry.family), after.get(entry.family)];
    if (!old || !current) return [];
    const subject = `${environment}: ${entry.kind === "service" ? "services" : "scheduledTasks"}[${entry.name}]`;
    const runs = entry.kind === "service" ? "the service and the jobs that use its image" : "the job";
    const warnings: string[] = [];
    const configChanges = [...changedKeys(old.container, current.container, ["image"]), ...changedKeys(old.task, current.task, ["family"]).map((key) => `task ${key}`)];
    if (configChanges.length > 0) {
      const port = configChanges.includes("portMappings")
        ? " The apply changes the load balancer's side of a port change (target group, the service's container port) and the release the container's: run them back to back."
        : "";
      warnings.push(
        `${subject} ${configChanges.join(", ")} changed since the last synth. cdktf deploy registers it in ${entry.family}_config; ` +
          `${runs} get it with the next release, which keeps the running image: npm run release -- deploy ${environment} ${entry.name} ` +
          `(after the apply; with --image <image-ref> to ship a new build along).${port}`,
      );
    }
    if (old.container.image !== current.container.image) {
      warnings.push(
        `${subject} image changed since the last synth (${String(old.container.image)} → ${String(current.container.image)}). The config's image is only what a new stack starts with: ` +
          `releases own the running image, and cdktf deploy leaves it alone. Ship an image with: npm run release -- deploy ${environment} ${entry.name} --image ${String(current.container.image)}`,
      );
    }
    return warnings;
  });
}
