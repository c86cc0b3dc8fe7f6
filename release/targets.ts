/**
 * What the release CLI acts on, named exactly as the stack names it: the environment config
 * (validated like a synth does) and the platform's naming functions. Loads no cdktf.
 */
import { isMutableImageReference } from "../stacks/config/image-tags";
import type { CapacityProviderStrategyItem } from "../modules/compute/capacity-strategy";
import { capacityProviderStrategy } from "../modules/compute/capacity-strategy";
import { Naming } from "../modules/platform/naming";
import { computeNames, jobTaskDefinitionNames, releaseFamilies, serviceNames } from "../modules/services/platform-names";
import { ConfigError, parseEnvironmentConfig, type EnvironmentConfig, type EnvironmentInput } from "../stacks/config";

/** Bad input: the CLI exits 2 and makes no AWS call that changes anything. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Where a one-off task of a job runs (a service's tasks run where the live service runs them). */
export type Placement = { readonly capacityProviderStrategy: CapacityProviderStrategyItem[] } | { readonly launchType: "EC2" };

/** A service, or a scheduled job with an image of its own, of one environment. */
export interface ReleaseTarget {
  readonly kind: "service" | "job";
  /** The config name (`services[].name` / `scheduledTasks[].name`). */
  readonly name: string;
  readonly environment: string;
  readonly region: string;
  readonly cluster: string;
  /** The released task definition family: what the service and the jobs run. */
  readonly family: string;
  /** Terraform's revisions of the environment config, what a release is built from (`releaseFamilies`). */
  readonly configFamily: string;
  /** Revisions of one-off tasks with an image of their own. */
  readonly oneOffFamily: string;
  /** The container whose image a deploy replaces and whose command `run` overrides. */
  readonly container: string;
  /** The ECS service (services only). */
  readonly service?: string;
  /** Jobs only: the capacity the schedule runs them on. */
  readonly placement?: Placement;
}

/** One environment's validated config; an unknown name is a UsageError listing the known ones. */
export function loadEnvironment(environments: Readonly<Record<string, EnvironmentInput>>, name: string): EnvironmentConfig {
  const input = environments[name];
  if (input === undefined) {
    throw new UsageError(`unknown environment "${name}"; known environments: ${Object.keys(environments).join(", ")}`);
  }
  try {
    return parseEnvironmentConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function families(family: string) {
  const { release, config, oneOff } = releaseFamilies(family);
  return { family: release, configFamily: config, oneOffFamily: oneOff };
}

/** Every service and every job with its own image, in config order. */
export function environmentTargets(config: EnvironmentConfig): ReleaseTarget[] {
  const naming = new Naming(config.project, config.environment);
  const compute = computeNames(naming);
  const common = { environment: config.environment, region: config.region, cluster: compute.cluster };
  const services = config.services.map((service): ReleaseTarget => {
    const names = serviceNames(naming, service.name);
    return { ...common, ...families(names.family), kind: "service", name: service.name, container: names.containerName, service: names.serviceName };
  });
  const jobs = config.scheduledTasks
    .filter((job) => job.image !== undefined)
    .map((job): ReleaseTarget => {
      const names = jobTaskDefinitionNames(naming, job.name);
      const placement: Placement =
        config.capacity.mode === "capacity-providers"
          ? { capacityProviderStrategy: capacityProviderStrategy(compute, config.capacity.strategy, job.capacityPool) }
          : { launchType: "EC2" };
      return { ...common, ...families(names.family), kind: "job", name: job.name, container: names.containerName, placement };
    });
  return [...services, ...jobs];
}

/** The service or job called `name`; anything else is a UsageError listing what exists. */
export function findTarget(config: EnvironmentConfig, name: string): ReleaseTarget {
  const targets = environmentTargets(config);
  const matches = targets.filter((target) => target.name === name);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new UsageError(`"${name}" is both a service and a job in environment "${config.environment}": rename one of them`);
  }
  const serviceJob = config.scheduledTasks.find((job) => job.name === name && job.service !== undefined);
  if (serviceJob) {
    throw new UsageError(
      `job "${name}" runs the task definition of service "${serviceJob.service}": deploy or run service "${serviceJob.service}" instead`,
    );
  }
  const known = (kind: ReleaseTarget["kind"]) => targets.filter((target) => target.kind === kind).map((target) => target.name);
  const jobs = known("job");
  throw new UsageError(
    `unknown service "${name}" in environment "${config.environment}"; services: ${known("service").join(", ") || "(none)"}` +
      (jobs.length > 0 ? `; jobs with their own image: ${jobs.join(", ")}` : ""),
  );
}

// Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest].
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const IMAGE_REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);

/** What a task definition's `image` may hold before an `@sha256:` digest. */
const MAX_IMAGE_NAME = 255;

/** Refuses what is not a container image reference (`registry/repository:tag` or `@sha256:digest`). */
export function checkImageReference(image: string): string {
  const name = image.split("@")[0];
  if (name.length > MAX_IMAGE_NAME) {
    throw new UsageError(`image reference "${image}" is ${name.length} characters before "@": ECS allows at most ${MAX_IMAGE_NAME} (repository and tag)`);
  }
  if (!IMAGE_REFERENCE.test(image)) {
    throw new UsageError(
      `malformed image reference "${image}": expected [registry/]repository[:tag][@sha256:<64 hex digits>], e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.4.2`,
    );
  }
  if (isMutableImageReference(image)) {
    // A release names one build: tasks that Spot replacements and autoscaling start later would pull whatever a
    // mutable tag points to then, and a rollback to it would return to no build in particular.
    throw new UsageError(
      `image "${image}" ${image.includes(":", image.lastIndexOf("/") + 1) ? "has the mutable tag latest" : "has no tag (that means latest)"}: release a version tag or a digest, e.g. ${image.split(":latest")[0]}:1.4.2 or @sha256:<digest>`,
    );
  }
  return image;
}
