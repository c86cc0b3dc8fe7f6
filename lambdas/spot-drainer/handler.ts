import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DrainerConfig, readConfig, readLifecycleConfig, readRebalanceConfig } from "./config";
import { DrainSummary, Ec2InstanceEvent, drainForEvent } from "./drain";
import { LifecycleActionEvent, LifecycleSummary, drainForLifecycleAction, isLifecycleAction } from "./lifecycle";
import { drainMetrics, publishMetrics } from "./emf";
import { Logger, createLogger, describeError } from "./log";
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
 * Each drained event also writes one embedded-metric-format line (metrics.ts names its metrics).
 */
export async function handler(
  event: Ec2InstanceEvent | LifecycleActionEvent,
  context?: InvocationContext,
): Promise<DrainSummary | LifecycleSummary | RebalanceSummary> {
  const lifecycle = isLifecycleAction(event);
  const instanceId = lifecycle ? event.detail?.EC2InstanceId : (event as Ec2InstanceEvent).detail?.["instance-id"];
  const log = createLogger({ eventId: event.id, instanceId });
  const startedAt = Date.now();
  try {
    const config = readConfig(process.env);
    const result = await drain(event, lifecycle, config, log, context);
    publishMetrics(drainMetrics(result, config.clusterName, { startedAt, finishedAt: Date.now() }));
    return result;
  } catch (err) {
    log.error("drain failed", describeError(err));
    throw err;
  }
}

function drain(
  event: Ec2InstanceEvent | LifecycleActionEvent,
  lifecycle: boolean,
  config: DrainerConfig,
  log: Logger,
  context?: InvocationContext,
): Promise<DrainSummary | LifecycleSummary | RebalanceSummary> {
  const remainingTimeMs = context ? () => context.getRemainingTimeInMillis() : undefined;
  const deps = { ecs, elb, now: Date.now, sleep, log, remainingTimeMs };
  if (lifecycle) return drainForLifecycleAction(event as LifecycleActionEvent, config, readLifecycleConfig(process.env), { ...deps, autoscaling });
  if (isRebalanceRecommendation(event)) return drainAndTerminateForRebalance(event, config, readRebalanceConfig(process.env), { ...deps, ec2 });
  return drainForEvent(event as Ec2InstanceEvent, config, deps);
}
