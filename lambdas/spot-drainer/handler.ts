import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { readConfig } from "./config";
import { DrainSummary, Ec2InstanceEvent, drainForEvent } from "./drain";
import { createLogger, describeError } from "./log";

export type { DrainSummary, Ec2InstanceEvent } from "./drain";

// Created once per container and reused across invocations; constructing a client makes no network call.
const ecs = new ECSClient({});
const elb = new ElasticLoadBalancingV2Client({});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** EventBridge target for "EC2 Spot Instance Interruption Warning" (and optionally rebalance recommendations). */
export async function handler(event: Ec2InstanceEvent): Promise<DrainSummary> {
  const log = createLogger({ eventId: event.id, instanceId: event.detail?.["instance-id"] });
  try {
    const config = readConfig(process.env);
    return await drainForEvent(event, config, { ecs, elb, now: Date.now, sleep, log });
  } catch (err) {
    log.error("drain failed", describeError(err));
    throw err;
  }
}
