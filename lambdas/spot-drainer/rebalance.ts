import { DescribeSpotInstanceRequestsCommand, TerminateInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import type { Service, Task } from "@aws-sdk/client-ecs";
import type { DrainerConfig, RebalanceConfig } from "./config";
import {
  DrainDeps,
  DrainSummary,
  Ec2InstanceEvent,
  REBALANCE_RECOMMENDATION,
  SPOT_NOTICE_MS,
  countTargets,
  describeTaskServices,
  drainInstance,
  emptySummary,
  enterDraining,
  retryUntil,
  skipper,
  stopRemainingTasks,
  waitUntilTasksStopped,
} from "./drain";
import { describeActiveContainerInstances, describeServices, describeTasks, listTaskArns, setActive } from "./ecs";
import { Logger, createLogger, describeError } from "./log";
import type { Clock } from "./retry";
import { deregisterAll, serviceNameOf, targetGroupsOf, targetIdsOf, targetsForTasks } from "./targets";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Retry } from "./util";

export interface RebalanceDeps extends DrainDeps {
  ec2: EC2Client;
  /** Milliseconds left in this invocation: the drain ends early enough to terminate the instance. */
  remainingTimeMs?: () => number;
}

/**
 * Why a drained instance was not terminated:
 * - `tasks-not-moved`: service tasks were still on it at the stop point (the scheduler found no room, or
 *   their replacements were not healthy yet); they were left running;
 * - `tasks-still-stopping`: tasks were still deactivating or stopping at the deadline (inside their stop timeout);
 * - `targets-in-use`: the instance was still registered or draining in a target group;
 * - `no-room`: services that ran there are below their desired count and no replacement instance joined;
 * - `check-failed`: one of these could not be checked (throttled, denied): not terminating is the safe answer.
 */
export type TerminationRefusal = "tasks-not-moved" | "tasks-still-stopping" | "targets-in-use" | "no-room" | "check-failed";

export interface RebalanceSummary extends DrainSummary {
  /** True when this invocation terminated the drained instance. */
  terminated: boolean;
  /** Set when terminating was planned: why it was not safe (empty when the instance was terminated). */
  refused?: TerminationRefusal[];
  /** True when the refused instance was put back to ACTIVE (only if this invocation had set it DRAINING). */
  reactivated?: boolean;
}

/** Time kept after the drain for TerminateInstances and its retries. */
export const TERMINATE_RESERVE_MS = 10_000;

/** The log field (and value) the refused-termination alarm's metric filter and readers look for. */
export const TERMINATION_REFUSED = "RebalanceTerminationRefused";

export function isRebalanceRecommendation(event: { source?: string; "detail-type"?: string }): event is Ec2InstanceEvent {
  return event.source === "aws.ec2" && event["detail-type"] === REBALANCE_RECOMMENDATION;
}

/**
 * A rebalance recommendation for an instance of a Spot Fleet with capacity rebalance (`launch`):
 * the fleet launches a replacement and stops counting this instance, but leaves it running. The
 * recommendation has no deadline, so nothing here may cost an outage: the instance goes DRAINING and
 * the service scheduler moves its tasks (deregistering their targets first), within the budget of an
 * interruption warning that arrived now (a warning can follow at any moment, and then two minutes are
 * all there is). Standalone tasks, which never leave, are stopped, daemon tasks last. The instance is
 * terminated only when nothing runs or drains there any more and what ran there found room elsewhere
 * (or a replacement joined); otherwise it returns to ACTIVE, the refusal is logged and counted for the
 * alarm, and the interruption warning (if it comes) drains it. Instances not in this cluster are left
 * alone; the role may terminate only instances of its own fleet.
 */
export async function drainAndTerminateForRebalance(
  event: Ec2InstanceEvent,
  config: DrainerConfig,
  rebalance: RebalanceConfig,
  deps: RebalanceDeps,
): Promise<RebalanceSummary> {
  const instanceId = event.detail?.["instance-id"];
  const log = (deps.log ?? createLogger()).child({ eventId: event.id, detailType: event["detail-type"], instanceId });
  const skip = skipper<RebalanceSummary>({ ...emptySummary(instanceId), terminated: false }, log);
  if (!config.drainOnRebalance) return skip("rebalance-disabled", "ignoring rebalance recommendation (DRAIN_ON_REBALANCE is not true)");
  if (!instanceId) return skip("missing-instance-id", "event has no detail.instance-id");

  const now = deps.now();
  const invocationEnd = deps.remainingTimeMs ? now + deps.remainingTimeMs() : Number.POSITIVE_INFINITY;
  const deadline = Math.min(now + SPOT_NOTICE_MS - config.deadlineMarginSeconds * 1000, invocationEnd - TERMINATE_RESERVE_MS);
  const stopReason = `Spot rebalance: instance ${instanceId} replaced by its fleet`;
  if (!rebalance.terminateAfterDrain) {
    // Nothing is terminated, so the drain may stop what the scheduler leaves behind: the instance stays DRAINING.
    const drained = await drainInstance(instanceId, { deadline, stopReason, waitForTasksToLeave: true }, config, deps, log);
    return { ...drained, terminated: false };
  }

  const summary: RebalanceSummary = { ...emptySummary(instanceId), deadline, terminated: false };
  const replacement = await drainForReplacement(instanceId, Date.parse(event.time), summary, stopReason, config, deps, log);
  if (replacement.skipped !== undefined || replacement.refused === undefined || replacement.refused.length > 0) return replacement;

  const retry = retryUntil(Math.min(deadline + TERMINATE_RESERVE_MS, invocationEnd), deps, log);
  await retry(() => deps.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] })));
  log.info("terminated the drained instance: its fleet replaces it", { stoppedTasks: replacement.stoppedTasks.length });
  return { ...replacement, terminated: true };
}

/** The drain before a termination: returns the summary with `refused` set ([] when terminating is safe). */
async function drainForReplacement(
  instanceId: string,
  eventTime: number,
  summary: RebalanceSummary,
  stopReason: string,
  config: DrainerConfig,
  deps: RebalanceDeps,
  log: Logger,
): Promise<RebalanceSummary> {
  const { ecs, elb } = deps;
  const cluster = config.clusterName;
  const deadline = summary.deadline as number;
  const stopTimeoutMs = config.stopTimeoutSeconds * 1000;
  const pollIntervalMs = config.pollIntervalSeconds * 1000;
  const beforeDeadline = retryUntil(deadline, deps, log);
  // The look-ups before the wait leave room for stopping standalone tasks and then daemons, each with its stop timeout.
  const beforeWait = retryUntil(deadline - 2 * stopTimeoutMs, deps, log);

  const entered = await enterDraining(instanceId, summary, config, deps, beforeWait, log);
  if (entered.skipped !== undefined) return entered;
  const containerInstanceArn = entered.containerInstanceArn as string;
  const ciLog = log.child({ containerInstanceArn });
  const refuse = (refused: TerminationRefusal[], fields = {}) => refuseTermination(summary, refused, config, deps, beforeDeadline, ciLog, fields);

  try {
    const tasks = await describeTasks(ecs, beforeWait, cluster, await listTaskArns(ecs, beforeWait, cluster, containerInstanceArn));
    const services = await describeTaskServices(ecs, beforeWait, cluster, tasks, ciLog);
    // Without the services, daemons cannot be told from replicas: every service task then counts as a replica.
    const daemonNames = new Set((services ?? []).filter((s) => s.schedulingStrategy === "DAEMON").map((s) => s.serviceName));
    const isDaemon = (task: Task) => daemonNames.has(serviceNameOf(task));
    // Daemons stop last and get their own stop timeout, after the others had theirs.
    const daemonStopAt = deadline - stopTimeoutMs;
    const stopAt = tasks.some(isDaemon) ? daemonStopAt - stopTimeoutMs : daemonStopAt;
    const leaving = tasks.filter((task) => !isDaemon(task)).map((task) => task.taskArn as string);
    await waitUntilTasksStopped(ecs, retryUntil(stopAt, deps, log), deps, cluster, leaving, { until: stopAt, pollIntervalMs }, ciLog, "tasks still on the instance at stop point");

    const left = await describeTasks(ecs, beforeDeadline, cluster, await listTaskArns(ecs, beforeDeadline, cluster, containerInstanceArn));
    const unmoved = left.filter((task) => serviceNameOf(task) !== undefined && !isDaemon(task));
    if (unmoved.length > 0) {
      // Stopping them would drop live work on a signal that has no deadline: the warning, if it comes, drains them.
      return await refuse(["tasks-not-moved"], { unmoved: unmoved.map((task) => task.taskArn) });
    }
    const standalone = left.filter((task) => serviceNameOf(task) === undefined).map((task) => task.taskArn as string);
    summary.stoppedTasks = await stopRemainingTasks(ecs, beforeDeadline, cluster, containerInstanceArn, stopReason, standalone, ciLog, { relist: false });
    await waitUntilTasksStopped(ecs, beforeDeadline, deps, cluster, summary.stoppedTasks, { until: daemonStopAt, pollIntervalMs }, ciLog, "standalone tasks still stopping, stopping the daemons");
    const daemons = left.filter(isDaemon);
    const daemonTargets = targetsForTasks(instanceId, daemons, services ?? [], config.targetGroupArns);
    summary.deregisteredTargets = countTargets(await deregisterAll(elb, beforeDeadline, daemonTargets, ciLog));
    const daemonArns = daemons.map((task) => task.taskArn as string);
    summary.stoppedTasks.push(...(await stopRemainingTasks(ecs, beforeDeadline, cluster, containerInstanceArn, stopReason, daemonArns, ciLog, { relist: false })));

    const refused: TerminationRefusal[] = [];
    const checks = { cluster, containerInstanceArn, instanceId, pollIntervalMs };
    const live = await waitUntilInstanceEmpty(ecs, beforeDeadline, deps, { ...checks, until: deadline }, ciLog);
    if (live === undefined) refused.push("check-failed");
    else if (live > 0) refused.push("tasks-still-stopping");
    const inUse = await targetsInUse(elb, beforeDeadline, targetIdsOf(instanceId, tasks), targetGroupsToCheck(config, tasks, services), ciLog);
    summary.targetsStillInUse = inUse ?? 0;
    if (inUse === undefined) refused.push("check-failed");
    else if (inUse > 0) refused.push("targets-in-use");
    const room = await hasRoom(ecs, beforeDeadline, cluster, instanceId, eventTime, tasks, daemonNames, ciLog);
    if (room === undefined) refused.push("check-failed");
    else if (!room) refused.push("no-room");
    summary.finishedAt = deps.now();
    if (refused.length > 0) return await refuse([...new Set(refused)], { liveTasks: live, targetsInUse: inUse });
    ciLog.info("instance drained and its work moved: terminating it");
    return { ...summary, refused: [] };
  } catch (err) {
    ciLog.error("rebalance drain failed", describeError(err));
    return await refuse(["check-failed"]);
  }
}

/**
 * Not terminating: the instance goes back to ACTIVE if this invocation drained it (an instance that was DRAINING
 * already may be draining for an interruption warning, and stays so), and the refusal is logged for the alarm.
 */
async function refuseTermination(
  summary: RebalanceSummary,
  refused: TerminationRefusal[],
  config: DrainerConfig,
  deps: RebalanceDeps,
  retry: Retry,
  log: Logger,
  fields: Record<string, unknown>,
): Promise<RebalanceSummary> {
  let reactivated = false;
  // A recommendation can come with the interruption warning: then the warning's drain owns the instance.
  const interruption = summary.markedDraining ? await interruptionScheduled(deps.ec2, retry, summary.instanceId as string, log) : false;
  if (summary.markedDraining && !interruption) {
    try {
      const failures = await setActive(deps.ecs, retry, config.clusterName, summary.containerInstanceArn as string);
      reactivated = failures.length === 0;
      if (!reactivated) log.error("could not return the instance to ACTIVE", { failures });
    } catch (err) {
      log.error("could not return the instance to ACTIVE", describeError(err));
    }
  }
  log.error("not terminating the instance after the rebalance drain: left to the interruption warning", {
    alarm: TERMINATION_REFUSED,
    refused,
    reactivated,
    interruptionScheduled: interruption,
    ...fields,
  });
  // The drain's end, not the reactivation's: a refusal after the checks is not a missed deadline.
  return { ...summary, refused, reactivated, finishedAt: summary.finishedAt ?? deps.now() };
}

/**
 * Whether EC2 has scheduled the instance's interruption (its Spot request is `marked-for-termination`, `-stop` or
 * `-hibernation`): the warning's drain is under way. Unknown (the call failed) counts as not scheduled, so capacity
 * is not lost to an instance left DRAINING.
 */
async function interruptionScheduled(ec2: EC2Client, retry: Retry, instanceId: string, log: Logger): Promise<boolean> {
  try {
    const out = await retry(() => ec2.send(new DescribeSpotInstanceRequestsCommand({ Filters: [{ Name: "instance-id", Values: [instanceId] }] })));
    return (out.SpotInstanceRequests ?? []).some((request) => request.Status?.Code?.startsWith("marked-for-") ?? false);
  } catch (err) {
    log.warn("could not tell whether the instance is marked for interruption", describeError(err));
    return false;
  }
}

/**
 * Polls every task on the instance, including those ECS is still deactivating or stopping (desired status
 * STOPPED), until all are STOPPED or `until`. Returns how many were still live, or undefined if it could not tell.
 */
async function waitUntilInstanceEmpty(
  ecs: RebalanceDeps["ecs"],
  retry: Retry,
  clock: Clock,
  opts: { cluster: string; containerInstanceArn: string; until: number; pollIntervalMs: number },
  log: Logger,
): Promise<number | undefined> {
  const { cluster, containerInstanceArn } = opts;
  for (;;) {
    let live: Task[];
    try {
      const arns = [
        ...(await listTaskArns(ecs, retry, cluster, containerInstanceArn, "RUNNING")),
        ...(await listTaskArns(ecs, retry, cluster, containerInstanceArn, "STOPPED")),
      ];
      live = (await describeTasks(ecs, retry, cluster, [...new Set(arns)])).filter((task) => task.lastStatus !== "STOPPED");
    } catch (err) {
      log.error("could not check the instance's tasks", describeError(err));
      return undefined;
    }
    const left = opts.until - clock.now();
    if (live.length === 0 || left <= 0) {
      if (live.length > 0) log.warn("tasks still live on the instance at the deadline", { live: live.map((task) => `${task.taskArn} ${task.lastStatus}`) });
      return live.length;
    }
    await clock.sleep(Math.min(opts.pollIntervalMs, left));
  }
}

/** The target groups the instance may be registered in: the environment's, or those of the services that ran there. */
function targetGroupsToCheck(config: DrainerConfig, tasks: Task[], services: Service[] | undefined): string[] | undefined {
  if (config.targetGroupArns.length > 0) return config.targetGroupArns;
  if (services === undefined && tasks.some((task) => serviceNameOf(task) !== undefined)) return undefined;
  return [...new Set((services ?? []).flatMap((s) => (s.loadBalancers ?? []).flatMap(targetGroupsOf)))];
}

/**
 * Targets of the instance (any port) or of its awsvpc tasks' addresses that a load balancer still sends to or drains;
 * undefined if it could not tell.
 */
async function targetsInUse(
  elb: RebalanceDeps["elb"],
  retry: Retry,
  targetIds: Set<string>,
  targetGroupArns: string[] | undefined,
  log: Logger,
): Promise<number | undefined> {
  if (targetGroupArns === undefined) return undefined;
  try {
    const counts = await Promise.all(
      targetGroupArns.map(async (TargetGroupArn) => {
        const out = await retry(() => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn })));
        const inUse = (out.TargetHealthDescriptions ?? []).filter((d) => d.Target?.Id !== undefined && targetIds.has(d.Target.Id) && d.TargetHealth?.State !== "unused");
        if (inUse.length > 0) log.warn("instance still in a target group", { targetGroupArn: TargetGroupArn, targets: inUse.map((d) => ({ id: d.Target?.Id, port: d.Target?.Port, state: d.TargetHealth?.State })) });
        return inUse.length;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  } catch (err) {
    log.error("could not check the target groups", describeError(err));
    return undefined;
  }
}

/**
 * Whether what ran on the instance has a home: every replica service that ran there is at its desired count,
 * or a replacement container instance joined the cluster since the recommendation. Undefined if it could not tell.
 */
async function hasRoom(
  ecs: RebalanceDeps["ecs"],
  retry: Retry,
  cluster: string,
  instanceId: string,
  eventTime: number,
  tasks: Task[],
  daemonNames: Set<string | undefined>,
  log: Logger,
): Promise<boolean | undefined> {
  const names = [...new Set(tasks.map(serviceNameOf).filter((name): name is string => name !== undefined && !daemonNames.has(name)))];
  let short: string[] | undefined;
  try {
    const { services, failures } = names.length > 0 ? await describeServices(ecs, retry, cluster, names) : { services: [], failures: [] };
    short = failures.length > 0 ? undefined : services.filter((s) => (s.runningCount ?? 0) < (s.desiredCount ?? 0)).map((s) => s.serviceName as string);
  } catch (err) {
    log.error("could not check the services' running counts", describeError(err));
  }
  if (short !== undefined && short.length === 0) return true;
  try {
    const joined = (await describeActiveContainerInstances(ecs, retry, cluster)).filter(
      (ci) => ci.ec2InstanceId !== instanceId && ci.agentConnected === true && ci.registeredAt !== undefined && ci.registeredAt.getTime() >= eventTime,
    );
    if (joined.length > 0) return true;
  } catch (err) {
    log.error("could not look for a replacement instance", describeError(err));
    return undefined;
  }
  if (short === undefined) return undefined;
  log.warn("services below their desired count and no replacement instance joined", { services: short });
  return false;
}
