import type { ECSClient, Failure, Service, Task } from "@aws-sdk/client-ecs";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { EventBridgeEvent } from "aws-lambda";
import type { DrainerConfig } from "./config";
import {
  describeContainerInstance,
  describeServices,
  describeTasks,
  listContainerInstanceArns,
  listTaskArns,
  setDraining,
  stopTask,
} from "./ecs";
import { Logger, createLogger, describeError } from "./log";
import { Clock, withRetry } from "./retry";
import { TargetsByGroup, deregisterAll, serviceNameOf, targetsForTasks, waitUntilDrained } from "./targets";
import { Retry, forEachLimit } from "./util";

export const SPOT_INTERRUPTION_WARNING = "EC2 Spot Instance Interruption Warning";
export const REBALANCE_RECOMMENDATION = "EC2 Instance Rebalance Recommendation";
/** EC2 reclaims the instance two minutes after the interruption warning. */
export const SPOT_NOTICE_MS = 120_000;
/** Kept free before the invocation's own timeout: the last calls return and the summary is logged. */
export const INVOCATION_SAFETY_MS = 2_000;
const STOP_TASK_CONCURRENCY = 10;

export interface Ec2InstanceEventDetail {
  "instance-id"?: string;
  "instance-action"?: string;
}
export type Ec2InstanceEvent = EventBridgeEvent<string, Ec2InstanceEventDetail>;

export interface DrainDeps extends Clock {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  /** Jitter source for retries; defaults to Math.random. */
  random?: () => number;
  log?: Logger;
  /** Milliseconds this invocation has left (the Lambda context's getRemainingTimeInMillis). */
  remainingTimeMs?: () => number;
}

export type SkipReason =
  | "unsupported-event"
  | "rebalance-disabled"
  | "missing-instance-id"
  | "stale-event"
  | "not-in-cluster"
  | "container-instance-missing"
  | "container-instance-inactive"
  | "not-our-hook";

export interface DrainSummary {
  instanceId?: string;
  containerInstanceArn?: string;
  /** True when this invocation moved the instance to DRAINING (false if ECS/the agent already had). */
  markedDraining: boolean;
  deregisteredTargets: number;
  /** Targets confirmed `unused`/absent before the stop point. */
  drainedTargets: number;
  /** Targets of the instance's tasks not confirmed drained when the tasks were stopped (deregistration refused or still draining). */
  targetsStillInUse: number;
  /** The tasks' services could not be described, so their targets are unknown (none were deregistered). */
  targetsUnmapped?: boolean;
  stoppedTasks: string[];
  skipped?: SkipReason;
  /** Epoch ms by which all work must be done (Spot: event time + 2 min − margin; lifecycle: see lifecycle.ts). */
  deadline?: number;
  /** Epoch ms when the drain's last call returned. */
  finishedAt?: number;
}

/**
 * Drains the container instance named by a Spot interruption (or, if enabled, rebalance) event:
 * DRAINING → DeregisterTargets → wait for `unused` until the stop point → StopTask what is left.
 */
export async function drainForEvent(event: Ec2InstanceEvent, config: DrainerConfig, deps: DrainDeps): Promise<DrainSummary> {
  const instanceId = event.detail?.["instance-id"];
  const log = (deps.log ?? createLogger()).child({ eventId: event.id, detailType: event["detail-type"], instanceId });
  const summary = emptySummary(instanceId);
  const skip = skipper(summary, log);

  const accepted =
    event.source === "aws.ec2" &&
    (event["detail-type"] === SPOT_INTERRUPTION_WARNING || event["detail-type"] === REBALANCE_RECOMMENDATION);
  if (!accepted) return skip("unsupported-event", "ignoring unsupported event", { source: event.source });
  if (event["detail-type"] === REBALANCE_RECOMMENDATION && !config.drainOnRebalance) {
    return skip("rebalance-disabled", "ignoring rebalance recommendation (DRAIN_ON_REBALANCE is not true)");
  }
  if (!instanceId) return skip("missing-instance-id", "event has no detail.instance-id");

  // The instance lives until event time + 2 min. Work is bounded by that minus the margin, and by the
  // invocation's own end: whichever comes first.
  const start = deps.now();
  const reclaimAt = Date.parse(event.time) + SPOT_NOTICE_MS;
  if (Number.isNaN(reclaimAt) || start >= reclaimAt) {
    return skip("stale-event", "event arrived after the instance was reclaimed", { eventTime: event.time });
  }
  const invocationEnd = deps.remainingTimeMs ? start + deps.remainingTimeMs() - INVOCATION_SAFETY_MS : Infinity;
  const deadline = Math.min(reclaimAt - config.deadlineMarginSeconds * 1000, invocationEnd);
  if (start >= deadline) {
    // Less than the margin left, but the instance still serves: taking it out of the load balancer and
    // setting DRAINING still saves requests. Every call gets one attempt and nothing is waited for.
    log.warn("event arrived inside the deadline margin, draining without waiting", { eventTime: event.time, deadline });
  }
  return drainInstance(
    instanceId,
    { deadline, stopReason: `Spot interruption: instance ${instanceId} reclaimed`, waitForTasksToLeave: false },
    config,
    deps,
    log,
  );
}

/** How one drain is bounded and what it waits for; shared by the Spot and the ASG lifecycle paths. */
export interface DrainPlan {
  /** Epoch ms by which all work must be done. */
  deadline: number;
  /** Reason recorded on the tasks it stops. */
  stopReason: string;
  /**
   * After the targets are drained, also wait (until the stop point) for ECS to move the instance's
   * tasks away, so StopTask only hits what the scheduler does not reschedule by itself. Worth it only
   * with a budget longer than the Spot warning.
   */
  waitForTasksToLeave: boolean;
}

export const emptySummary = (instanceId?: string): DrainSummary => ({
  instanceId,
  markedDraining: false,
  deregisteredTargets: 0,
  drainedTargets: 0,
  targetsStillInUse: 0,
  stoppedTasks: [],
});

export const skipper =
  <S extends DrainSummary>(summary: S, log: Logger) =>
  (skipped: SkipReason, msg: string, fields = {}): S => {
    log.info(msg, { skipped, ...fields });
    return { ...summary, skipped };
  };

/** A retry wrapper that never schedules an attempt past `limit`, logging through `log`. */
export function retryUntil(limit: number, deps: Clock & { random?: () => number }, log: Logger): Retry {
  return (fn) =>
    withRetry(fn, {
      deadline: limit,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      onRetry: (err, attempt, delayMs) => log.warn("retrying after transient error", { attempt, delayMs, ...describeError(err) }),
      onGiveUp: (err, attempt) =>
        log.error("giving up retries, the next attempt would pass the deadline", { attempt, deadline: limit, ...describeError(err) }),
    });
}

/**
 * The drain itself: DRAINING → DeregisterTargets → wait for `unused` (and, if planned, for the tasks to
 * leave) until the stop point → StopTask what is left, all before `plan.deadline`.
 */
export async function drainInstance(
  instanceId: string,
  plan: DrainPlan,
  config: DrainerConfig,
  deps: DrainDeps,
  log: Logger,
): Promise<DrainSummary> {
  const { deadline } = plan;
  const summary: DrainSummary = { ...emptySummary(instanceId), deadline };
  // Tasks need their stop timeout between SIGTERM and SIGKILL, so ALB draining may only use the time before that.
  const stopAt = deadline - config.stopTimeoutSeconds * 1000;
  // Everything before StopTask must leave room for it; StopTask itself may use the time up to the deadline.
  const beforeStop = retryUntil(stopAt, deps, log);
  const beforeDeadline = retryUntil(deadline, deps, log);
  const { ecs, elb } = deps;
  const cluster = config.clusterName;

  const entered = await enterDraining(instanceId, summary, config, deps, beforeStop, log);
  if (entered.skipped !== undefined) return entered;
  const containerInstanceArn = entered.containerInstanceArn as string;
  const ciLog = log.child({ containerInstanceArn });

  const taskArns = await listTaskArns(ecs, beforeStop, cluster, containerInstanceArn);
  const tasks = await describeTasks(ecs, beforeStop, cluster, taskArns);
  ciLog.info("listed tasks", { taskCount: tasks.length });

  const services = await describeTaskServices(ecs, beforeStop, cluster, tasks, ciLog);
  const targets = services ? targetsForTasks(instanceId, tasks, services, config.targetGroupArns) : new Map();
  const deregistered = await deregisterAll(elb, beforeStop, targets, ciLog);
  summary.deregisteredTargets = countTargets(deregistered);
  const polling = { stopAt, pollIntervalMs: config.pollIntervalSeconds * 1000 };
  summary.drainedTargets = await waitUntilDrained(elb, beforeStop, deps, deregistered, polling, ciLog);
  summary.targetsStillInUse = countTargets(targets) - summary.drainedTargets;
  if (!services) summary.targetsUnmapped = true;
  if (plan.waitForTasksToLeave) {
    // Daemon tasks never leave a DRAINING instance before the others (and runningTasksCount counts them):
    // wait for the service scheduler's replicas and for standalone tasks to end, then stop the daemons.
    const daemons = new Set((services ?? []).filter((s) => s.schedulingStrategy === "DAEMON").map((s) => s.serviceName));
    const leaving = tasks.filter((task) => !daemons.has(serviceNameOf(task))).map((task) => task.taskArn as string);
    const waiting = { until: stopAt, pollIntervalMs: polling.pollIntervalMs };
    await waitUntilTasksStopped(ecs, beforeStop, deps, cluster, leaving, waiting, ciLog, "tasks still on the instance at stop point, stopping them");
  }

  summary.stoppedTasks = await stopRemainingTasks(ecs, beforeDeadline, cluster, containerInstanceArn, plan.stopReason, taskArns, ciLog);
  summary.finishedAt = deps.now();
  ciLog.info("drain finished", { ...summary });
  return summary;
}

/**
 * Finds the instance's container instance and sets it DRAINING (unless ECS or the agent already did).
 * Returns the summary with `containerInstanceArn` and `markedDraining` set, or skipped when there is
 * nothing of this cluster left to drain.
 */
export async function enterDraining<S extends DrainSummary>(
  instanceId: string,
  summary: S,
  config: DrainerConfig,
  deps: DrainDeps,
  retry: Retry,
  log: Logger,
): Promise<S> {
  const skip = skipper(summary, log);
  const { ecs } = deps;
  const cluster = config.clusterName;
  const [containerInstanceArn, ...extra] = await listContainerInstanceArns(ecs, retry, cluster, instanceId);
  if (!containerInstanceArn) return skip("not-in-cluster", "instance is not in the cluster", { cluster });
  if (extra.length > 0) log.warn("several container instances for one EC2 instance, using the first", { extra });
  summary.containerInstanceArn = containerInstanceArn;
  const ciLog = log.child({ containerInstanceArn });

  const lookup = await describeContainerInstance(ecs, retry, cluster, containerInstanceArn);
  if (lookup.kind === "missing") {
    return skip("container-instance-missing", "container instance is gone", { failures: lookup.failures });
  }
  switch (lookup.instance.status) {
    case "ACTIVE": {
      let failures: Failure[];
      try {
        failures = await setDraining(ecs, retry, cluster, containerInstanceArn);
      } catch (err) {
        // Refused outright (e.g. InvalidParameterException when the instance changed state meanwhile, or
        // AccessDenied): the same as a refusal reported in failures[]. Deregistering and stopping tasks still help.
        const { errorName, errorMessage } = describeError(err);
        failures = [{ arn: containerInstanceArn, reason: String(errorName ?? "Error"), detail: String(errorMessage) }];
      }
      if (failures.some((f) => f.reason === "MISSING")) {
        return skip("container-instance-missing", "container instance is gone", { failures });
      }
      // Draining refused is not fatal: deregistering and stopping tasks still shields clients from the reclaim.
      if (failures.length > 0) ciLog.error("could not set DRAINING, continuing", { failures });
      else ciLog.info("set container instance to DRAINING");
      summary.markedDraining = failures.length === 0;
      break;
    }
    case "DRAINING":
      ciLog.info("container instance already DRAINING, skipping state change");
      break;
    case "INACTIVE":
    case "DEREGISTERING":
      return skip("container-instance-inactive", "container instance is being deregistered", { status: lookup.instance.status });
    default:
      ciLog.warn("unexpected container instance status, draining anyway", { status: lookup.instance.status });
  }

  return summary;
}

/**
 * Polls the tasks until each reports STOPPED (a task ECS no longer returns is long gone), or until `until`.
 * Used for the tasks the scheduler moves off a DRAINING instance, and for the tasks the drain stopped.
 */
export async function waitUntilTasksStopped(
  ecs: ECSClient,
  retry: Retry,
  clock: Clock,
  cluster: string,
  taskArns: string[],
  opts: { until: number; pollIntervalMs: number },
  log: Logger,
  timeoutMessage: string,
): Promise<void> {
  let pending = taskArns;
  for (;;) {
    if (pending.length === 0) return;
    try {
      const tasks = await describeTasks(ecs, retry, cluster, pending);
      const stopping = new Set(tasks.filter((task) => task.lastStatus !== "STOPPED").map((task) => task.taskArn));
      pending = pending.filter((arn) => stopping.has(arn));
    } catch (err) {
      log.error("could not check the tasks, going on", describeError(err));
      return;
    }
    if (pending.length === 0) {
      log.info("tasks stopped", { taskCount: taskArns.length });
      return;
    }
    const left = opts.until - clock.now();
    if (left <= 0) {
      log.warn(timeoutMessage, { pending });
      return;
    }
    await clock.sleep(Math.min(opts.pollIntervalMs, left));
  }
}

/**
 * The services of the instance's tasks (for their target groups and scheduling strategy); undefined when
 * they cannot be described, in which case nothing is deregistered but the tasks are still stopped.
 */
export async function describeTaskServices(
  ecs: ECSClient,
  retry: Retry,
  cluster: string,
  tasks: Task[],
  log: Logger,
): Promise<Service[] | undefined> {
  const serviceNames = [...new Set(tasks.map(serviceNameOf).filter((name): name is string => name !== undefined))];
  if (serviceNames.length === 0) return [];
  try {
    const { services, failures } = await describeServices(ecs, retry, cluster, serviceNames);
    if (failures.length > 0) log.warn("some services could not be described", { failures });
    return services;
  } catch (err) {
    log.error("could not map services to target groups, skipping deregistration", describeError(err));
    return undefined;
  }
}

/**
 * Stops every task ECS still wants running on the instance: service tasks the scheduler has not got to yet
 * and standalone tasks, which DRAINING never stops (or, without `relist`, exactly the tasks given).
 * Returns the ARNs stopped (or found already stopped).
 */
export async function stopRemainingTasks(
  ecs: ECSClient,
  retry: Retry,
  cluster: string,
  containerInstanceArn: string,
  reason: string,
  knownTaskArns: string[],
  log: Logger,
  opts: { relist: boolean } = { relist: true },
): Promise<string[]> {
  let taskArns = knownTaskArns;
  try {
    if (opts.relist) taskArns = await listTaskArns(ecs, retry, cluster, containerInstanceArn);
  } catch (err) {
    log.error("could not re-list tasks, stopping the ones listed earlier", describeError(err));
  }
  const stopped: string[] = [];
  await forEachLimit(taskArns, STOP_TASK_CONCURRENCY, async (task) => {
    try {
      await stopTask(ecs, retry, cluster, task, reason);
      stopped.push(task);
    } catch (err) {
      if (isAlreadyStopped(err)) {
        log.info("task already stopped", { task });
        stopped.push(task);
      } else {
        log.error("stop task failed", { task, ...describeError(err) });
      }
    }
  });
  return stopped;
}

function isAlreadyStopped(err: unknown): boolean {
  return err instanceof Error && err.name === "InvalidParameterException" && /stop/i.test(err.message);
}

export function countTargets(byGroup: TargetsByGroup): number {
  return [...byGroup.values()].reduce((n, targets) => n + targets.length, 0);
}
