import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from "@aws-sdk/client-ecs";

/**
 * What RegisterTaskDefinition accepts, copied from a described revision by allow-list: the
 * read-only output fields (arn, revision, status, compatibilities, registeredAt/By,
 * deregisteredAt, deleteRequestedAt, requiresAttributes) can never leak into the request.
 */
const REGISTER_FIELDS = [
  "family",
  "taskRoleArn",
  "executionRoleArn",
  "networkMode",
  "containerDefinitions",
  "volumes",
  "placementConstraints",
  "requiresCompatibilities",
  "cpu",
  "memory",
  "pidMode",
  "ipcMode",
  "proxyConfiguration",
  "inferenceAccelerators",
  "ephemeralStorage",
  "runtimePlatform",
  "enableFaultInjection",
] as const satisfies ReadonlyArray<keyof RegisterTaskDefinitionCommandInput & keyof TaskDefinition>;

/** Thrown when the live task definition does not have what the platform's names say it has. */
export class TaskDefinitionMismatch extends Error {}

/**
 * A revision of `family` that is `current` with the image of `container`: roles, secrets, log
 * configuration, cpu/memory and tags are kept. Empty strings and lists are kept as described (ECS
 * drops an environment variable or log option whose value goes missing); only absent (null) fields
 * are left out. Tags with the reserved `aws:` prefix cannot be set and are dropped.
 */
export function revisionWithImage(
  current: TaskDefinition,
  tags: readonly Tag[] | undefined,
  container: string,
  image: string,
  family: string = current.family as string,
): RegisterTaskDefinitionCommandInput {
  const definitions = current.containerDefinitions ?? [];
  if (!definitions.some((definition) => definition.name === container)) {
    throw new TaskDefinitionMismatch(
      `task definition ${current.taskDefinitionArn} has no container "${container}" (it has: ${definitions.map((definition) => definition.name).join(", ")})`,
    );
  }
  const input: Record<string, unknown> = {};
  for (const field of REGISTER_FIELDS) {
    const value = current[field];
    if (value !== undefined && value !== null) input[field] = value;
  }
  input.family = family;
  input.containerDefinitions = definitions.map((definition) => (definition.name === container ? { ...definition, image } : definition));
  const kept = (tags ?? []).filter((tag) => tag.key !== undefined && !tag.key.startsWith("aws:"));
  if (kept.length > 0) input.tags = kept;
  return input as unknown as RegisterTaskDefinitionCommandInput;
}

/** `arn:…:task-definition/acme-api-api-production:42` → 42. */
export function revisionOf(taskDefinitionArn: string): number {
  const revision = Number(/:(\d+)$/.exec(taskDefinitionArn)?.[1]);
  return Number.isInteger(revision) ? revision : NaN;
}

/** `arn:…:task-definition/acme-api-api-production:42` → `acme-api-api-production:42`. */
export function shortName(taskDefinitionArn: string): string {
  return taskDefinitionArn.replace(/^.*:task-definition\//, "");
}

/** The image of `container` in a described task definition. */
export function imageOf(taskDefinition: TaskDefinition | undefined, container: string): string | undefined {
  return taskDefinition?.containerDefinitions?.find((definition) => definition.name === container)?.image;
}
