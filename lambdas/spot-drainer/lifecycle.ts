import { AutoScalingClient, CompleteLifecycleActionCommand } from "@aws-sdk/client-auto-scaling";
import type { EventBridgeEvent } from "aws-lambda";
import type { DrainerConfig, LifecycleConfig } from "./config";
import { DrainDeps, DrainSummary, drainInstance, emptySummary, retryUntil, skipper, waitUntilTasksStopped } from "./drain";
import { Logger, createLogger, describeError } from "./log";
import type { Retry } from "./util";

export const LIFECYCLE_ACTION = "EC2 Instance-terminate Lifecycle Action";

/** `detail` of an Auto Scaling lifecycle action event (EC2 Auto Scaling event reference). */
export interface LifecycleActionDetail {
  LifecycleActionToken?: string;
  AutoScalingGroupName?: string;
  LifecycleHookName?: string;
  EC2InstanceId?: string;
  LifecycleTransition?: string;
}
export type LifecycleActionEvent = EventBridgeEvent<string, LifecycleActionDetail>;

export interface LifecycleDeps extends DrainDeps {
  autoscaling: AutoScalingClient;
}

/** How the lifecycle action ended: completed now, already completed (or timed out) before, or not at all. */
export type LifecycleOutcome = "completed" | "already-completed" | "not-completed";

export interface LifecycleSummary extends DrainSummary {
  hookName?: string;
  lifecycleAction?: LifecycleOutcome;
}

export function isLifecycleAction(event: { source?: string; "detail-type"?: string }): event is LifecycleActionEvent {
  return event.source === "aws.autoscaling" && event["detail-type"] === LIFECYCLE_ACTION;
}

/**
 * Drains an instance the ASG is terminating while our termination hook holds it in
 * `Terminating:Wait`, then completes the lifecycle action with CONTINUE so the termination goes on.
 *
 * Deadline: the hook gives up (default result CONTINUE) `heartbeatSeconds` after the instance
 * entered the wait, which is the event time; the function stops at its own timeout. Work is bounded
 * by the earlier of the two minus the margin, so the action is always completed by this invocation
 * and never left to time out silently. Unlike the Spot path there is time to wait for the service
 * scheduler to move the tasks away; StopTask only hits what is left at the stop point.
 *
 * The action is completed whatever happened before: instance not in the cluster, gone, drain failed
 * (the error is rethrown afterwards so the failure is recorded). A repeated event's second completion
 * fails with ValidationError, which is logged and ignored.
 */
export async function drainForLifecycleAction(
  event: LifecycleActionEvent,
  config: DrainerConfig,
  lifecycle: LifecycleConfig,
  deps: LifecycleDeps,
): Promise<LifecycleSummary> {
  const detail = event.detail ?? {};
  const instanceId = detail.EC2InstanceId;
  const hookName = detail.LifecycleHookName;
  const log = (deps.log ?? createLogger()).child({
    eventId: event.id,
    detailType: event["detail-type"],
    instanceId,
    hookName,
    autoScalingGroupName: detail.AutoScalingGroupName,
  });
  const summary: LifecycleSummary = { ...emptySummary(instanceId), hookName };
  const skip = skipper(summary, log);
  // Other hooks on the group (e.g. ECS's ecs-managed-draining-termination-hook) belong to someone else to complete.
  if (hookName === undefined || !lifecycle.hookNames.includes(hookName)) {
    return skip("not-our-hook", "ignoring lifecycle action of a hook this function does not own");
  }
  if (!instanceId || !detail.AutoScalingGroupName) return skip("missing-instance-id", "event has no EC2InstanceId or AutoScalingGroupName");

  const start = deps.now();
  const hookExpiry = Date.parse(event.time) + lifecycle.heartbeatSeconds * 1000;
  const invocationEnd = deps.remainingTimeMs ? start + deps.remainingTimeMs() : Infinity;
  // Without a usable event time there is no budget: skip the drain and try the completion once.
  const completeBy = Math.min(Number.isNaN(hookExpiry) ? start : hookExpiry, invocationEnd);
  const deadline = completeBy - config.deadlineMarginSeconds * 1000;

  let result: LifecycleSummary = { ...summary, deadline };
  let failure: unknown;
  if (start >= deadline) {
    result = skipper(result, log)("stale-event", "lifecycle action arrived after its deadline, completing it", { eventTime: event.time });
  } else {
    try {
      const plan = { deadline, stopReason: `Auto Scaling terminates instance ${instanceId}`, waitForTasksToLeave: true };
      result = { ...(await drainInstance(instanceId, plan, config, deps, log)), hookName };
      if (result.stoppedTasks.length > 0) {
        // Completing lets the instance shut down: give the stopped tasks their SIGTERM grace first.
        const polling = { until: deadline, pollIntervalMs: config.pollIntervalSeconds * 1000 };
        const retry = retryUntil(deadline, deps, log);
        await waitUntilTasksStopped(deps.ecs, retry, deps, config.clusterName, result.stoppedTasks, polling, log, "tasks still stopping at the deadline, completing anyway");
      }
    } catch (err) {
      failure = err;
      log.error("drain failed, completing the lifecycle action anyway", describeError(err));
    }
  }

  result.lifecycleAction = await complete(deps.autoscaling, retryUntil(completeBy, deps, log), detail, instanceId, hookName, log);
  if (failure !== undefined) throw failure;
  return result;
}

async function complete(
  autoscaling: AutoScalingClient,
  retry: Retry,
  detail: LifecycleActionDetail,
  instanceId: string,
  hookName: string,
  log: Logger,
): Promise<LifecycleOutcome> {
  try {
    await retry(() =>
      autoscaling.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: detail.AutoScalingGroupName,
          LifecycleHookName: hookName,
          LifecycleActionToken: detail.LifecycleActionToken,
          InstanceId: instanceId,
          LifecycleActionResult: "CONTINUE",
        }),
      ),
    );
    log.info("completed lifecycle action");
    return "completed";
  } catch (err) {
    // The action no longer exists: a repeated event already completed it, or the hook timed out.
    if (err instanceof Error && err.name === "ValidationError") {
      log.info("lifecycle action already completed or timed out", describeError(err));
      return "already-completed";
    }
    log.error("could not complete the lifecycle action, the hook will continue at its timeout", describeError(err));
    throw err;
  }
}
