import { TerminateInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import type { DrainerConfig, RebalanceConfig } from "./config";
import {
  DrainDeps,
  DrainSummary,
  Ec2InstanceEvent,
  REBALANCE_RECOMMENDATION,
  SPOT_NOTICE_MS,
  drainInstance,
  emptySummary,
  retryUntil,
  skipper,
} from "./drain";
import { createLogger } from "./log";

export interface RebalanceDeps extends DrainDeps {
  ec2: EC2Client;
  /** Milliseconds left in this invocation: the drain ends early enough to terminate the instance. */
  remainingTimeMs?: () => number;
}

export interface RebalanceSummary extends DrainSummary {
  /** True when this invocation terminated the drained instance. */
  terminated: boolean;
}

/** Time kept after the drain for TerminateInstances and its retries. */
export const TERMINATE_RESERVE_MS = 10_000;

export function isRebalanceRecommendation(event: { source?: string; "detail-type"?: string }): event is Ec2InstanceEvent {
  return event.source === "aws.ec2" && event["detail-type"] === REBALANCE_RECOMMENDATION;
}

/**
 * A rebalance recommendation for an instance of a Spot Fleet with capacity rebalance (`launch`):
 * the fleet launches a replacement and stops counting this instance, but leaves it running. It is
 * drained within the budget of an interruption warning that arrived now (a warning can follow at
 * any moment, and then two minutes are all there is), giving the service scheduler until the stop
 * point to move the tasks, and then terminated: the termination delay
 * of launch-before-terminate, taken by the drain itself. Instances not in this cluster are left
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
  const drained = await drainInstance(
    instanceId,
    // No cliff yet: let the service scheduler start each task elsewhere first, and stop only what it leaves behind.
    { deadline, stopReason: `Spot rebalance: instance ${instanceId} replaced by its fleet`, waitForTasksToLeave: true },
    config,
    deps,
    log,
  );
  if (drained.skipped !== undefined || !rebalance.terminateAfterDrain) return { ...drained, terminated: false };

  const retry = retryUntil(Math.min(deadline + TERMINATE_RESERVE_MS, invocationEnd), deps, log);
  await retry(() => deps.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] })));
  log.info("terminated the drained instance: its fleet replaces it", { stoppedTasks: drained.stoppedTasks.length });
  return { ...drained, terminated: true };
}
