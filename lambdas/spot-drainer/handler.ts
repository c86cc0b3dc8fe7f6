import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { readConfig, readLifecycleConfig, readRebalanceConfig } from "./config";
import { DrainSummary, Ec2InstanceEvent, drainForEvent } from "./drain";
import { LifecycleActionEvent, LifecycleSummary, drainForLifecycleAction, isLifecycleAction } from "./lifecycle";
import { createLogger, describeError } from "./log";
import { RebalanceSummary, drainAndTerminateForRebalance, isRebalanceRecommendation } from "./rebalance";

export type { DrainSummary, Ec2InstanceEvent } from "./drain";
export type { LifecycleActionEvent, LifecycleSummary } from "./lifecycle";
export type { RebalanceSummary } from "./rebalance";

// Created once per container and reused across invocations; constructing a client makes no network call.
const ecs = new ECSClient({});
const elb = new ElasticLoadBalancingV2Client({});
const autoscaling = new AutoScalingClient({});
const ec2 = new EC2Client({});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The part of the Lambda context the drain uses to finish before the function times out. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/**
 * EventBridge target for "EC2 Spot Instance Interruption Warning" (and optionally rebalance
 * recommendations), and for "EC2 Instance-terminate Lifecycle Action" of the hooks in LIFECYCLE_HOOK_NAMES.
 */
export async function handler(
  event: Ec2InstanceEvent | LifecycleActionEvent,
  context?: InvocationContext,
): Promise<DrainSummary | LifecycleSummary | RebalanceSummary> {
  const lifecycle = isLifecycleAction(event);
  const instanceId = lifecycle ? event.detail?.EC2InstanceId : (event as Ec2InstanceEvent).detail?.["instance-id"];
  const log = createLogger({ eventId: event.id, instanceId });
  try {
    const config = readConfig(process.env);
    const remainingTimeMs = context ? () => context.getRemainingTimeInMillis() : undefined;
    if (lifecycle) {
      return await drainForLifecycleAction(event, config, readLifecycleConfig(process.env), {
        ecs,
        elb,
        autoscaling,
        now: Date.now,
        sleep,
        log,
        remainingTimeMs,
      });
    }
    if (isRebalanceRecommendation(event)) {
      return await drainAndTerminateForRebalance(event, config, readRebalanceConfig(process.env), { ecs, elb, ec2, now: Date.now, sleep, log, remainingTimeMs });
    }
    return await drainForEvent(event as Ec2InstanceEvent, config, { ecs, elb, now: Date.now, sleep, log, remainingTimeMs });
  } catch (err) {
    log.error("drain failed", describeError(err));
    throw err;
  }
}
