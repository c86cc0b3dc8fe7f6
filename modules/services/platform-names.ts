/**
 * The names the platform gives what it creates, as pure functions of the project's naming: the
 * stack synthesizes them and tools that must not load cdktf (the release CLI) compute the same
 * values from the same environment config, so the two cannot drift.
 */
import { NAME_LIMITS, Naming } from "../platform/naming";

/** The names of everything Compute creates. */
export interface ComputeNames {
  readonly cluster: string;
  readonly instanceRole: string;
  readonly securityGroup: string;
  /** Per pool: launch template, ASG, capacity provider and instance Name tag. */
  readonly onDemand: string;
  readonly spot: string;
  readonly spotFleet: string;
  readonly spotFleetRole: string;
  readonly spotFleetScaleOut: string;
  readonly spotFleetScaleIn: string;
  readonly spotFleetReservationHighAlarm: string;
  readonly spotFleetReservationLowAlarm: string;
}

/** The standard names (`acme-api-spot-production`, …) within AWS length limits. */
export function computeNames(naming: Naming): ComputeNames {
  return {
    cluster: naming.name(""),
    instanceRole: naming.name("ecs-instance", NAME_LIMITS.role),
    securityGroup: naming.name("ecs-instances"),
    onDemand: naming.name("on-demand"),
    spot: naming.name("spot"),
    spotFleet: naming.name("spot-fleet"),
    spotFleetRole: naming.name("spot-fleet", NAME_LIMITS.role),
    spotFleetScaleOut: naming.name("spot-fleet-scale-out"),
    spotFleetScaleIn: naming.name("spot-fleet-scale-in"),
    spotFleetReservationHighAlarm: naming.name("reservation-high"),
    spotFleetReservationLowAlarm: naming.name("reservation-low"),
  };
}

/** What an ECS task definition of the platform is called, and the roles and log group that go with it. */
export interface TaskDefinitionNames {
  /** Task definition family, e.g. `acme-api-api-production`. */
  readonly family: string;
  /** The one essential container, what overrides and load balancers refer to. */
  readonly containerName: string;
  readonly executionRoleName: string;
  readonly taskRoleName: string;
  readonly logGroupName: string;
}

/** A service's names: its ECS service and container are called like its config entry. */
export interface ServiceNames extends TaskDefinitionNames {
  readonly serviceName: string;
}

/** The names of a service (config `services[].name`). */
export function serviceNames(naming: Naming, service: string): ServiceNames {
  const family = naming.name(service);
  return {
    serviceName: service,
    family,
    containerName: service,
    executionRoleName: naming.name(`${service}-execution`, NAME_LIMITS.role),
    taskRoleName: naming.name(`${service}-task`, NAME_LIMITS.role),
    logGroupName: `/ecs/${family}`,
  };
}

/** The component every name of a scheduled job is built from. */
export function jobComponent(job: string): string {
  return `${job}-job`;
}

/** The task definition names of a scheduled job that brings its own image (config `scheduledTasks[].image`). */
export function jobTaskDefinitionNames(naming: Naming, job: string): TaskDefinitionNames {
  const component = jobComponent(job);
  const family = naming.name(component);
  return {
    family,
    containerName: job,
    executionRoleName: naming.name(`${component}-execution`, NAME_LIMITS.role),
    taskRoleName: naming.name(`${component}-task`, NAME_LIMITS.role),
    logGroupName: `/ecs/${family}`,
  };
}

/**
 * The task definition families behind one released family (a service's or a job's with its own image). A release is
 * the environment config's definition plus an image:
 * - `release` (the family itself): what the service and the jobs run. Only `npm run release` registers here after
 *   Terraform's first revision, so its latest ACTIVE revision, which jobs start, is the current release.
 * - `config`: what Terraform registers on every config change, with the config's image; a release is built from
 *   its latest revision.
 * - `oneOff`: revisions for one-off tasks with an image of their own (`release run --image`), which nothing else starts.
 * Config names never hold an underscore, so these names cannot collide with another service's family.
 */
export function releaseFamilies(family: string): { readonly release: string; readonly config: string; readonly oneOff: string } {
  return { release: family, config: `${family}_config`, oneOff: `${family}_run` };
}
