/** The platform's own operations: the Spot interruption drainer, the AMI watch, and where alarms notify. */
import { z } from "zod";
import { int, SNS_TOPIC_ARN } from "./fields";
import { schedule } from "./jobs";

export const spotDrainerSchema = z
  .object({
    enabled: z.boolean().default(true).describe("Deploy the drainer."),
    deadlineMarginSeconds: int(0, 60).default(10).describe("Seconds kept free before the 2-minute cliff: work not done by then is lost."),
    drainOnRebalance: z.boolean().default(false).describe("Spot Fleet only, with `capacity.spotFleet.capacityRebalance`: drain on rebalance recommendations, then terminate the instance the fleet replaced (ASGs with capacity rebalance never do)."),
    reservedConcurrency: int(1, 1000).default(10).describe("Lambda executions reserved for Spot storms: at least the most Spot instances the environment can run (`capacity.spot.maxSize`, or the fleet's maxCapacity over its lightest weight), since one interruption wave can warn them all at once and each drain holds an execution for up to 2 minutes. Lambda keeps 100 of the account's concurrency unreserved: raise the account quota when the pool is large."),
    lifecycleHeartbeatSeconds: int(60, 840).default(600).describe("Spot-fleet mode: how long a termination of the on-demand ASG waits for the drain. At most 840 so it fits Lambda's 900 s."),
  })
  .prefault({}).describe("The Spot interruption drainer Lambda (deregisters and stops tasks before the instance goes).");

export const spotDrillSchema = z
  .object({
    enabled: z.boolean().default(false).describe("Create the experiment template and its role. Nothing runs until someone starts an experiment from it."),
    instancesPercent: int(1, 100).default(50).describe("Share of the running Spot instances that get the 2-minute warning and are then interrupted."),
  })
  .prefault({})
  .describe("A Spot interruption drill: an AWS FIS experiment template that interrupts a share of the environment's Spot instances, stopped by the web services' 5xx alarms. Needs the drainer and a web service. See docs/spot.md, \"Rehearse a Spot interruption\".");

export const amiWatchSchema = z
  .object({
    enabled: z.boolean().default(true).describe("Deploy the AMI watch."),
    schedule: schedule().default("rate(1 day)").describe("When to check, EventBridge schedule in UTC."),
    emails: z.array(z.email({ message: "must be an e-mail address" })).default([]).describe("Addresses told about new AMIs; each must confirm its SNS subscription once."),
    autoRefresh: z.boolean().default(false).describe("Start an ASG instance refresh when the AMI moves, instead of waiting for a deploy; launch templates then resolve the AMI at every launch. Not with a pinned AMI; in spot-fleet mode only with the drainer."),
  })
  .prefault({}).describe("The AMI watch Lambda: reports (and optionally rolls out) newer ECS-optimized AMIs.");

export const alertsSchema = z
  .object({
    emails: z.array(z.email({ message: "must be an e-mail address" })).default([]).describe("Subscribed to a topic created for the alarms; each address must confirm its subscription once (AWS sends a confirmation e-mail)."),
    topicArn: z.string().regex(SNS_TOPIC_ARN, "must be an SNS topic ARN").optional().describe("Or an existing SNS topic (chat, paging); its policy must let CloudWatch publish."),
  })
  .prefault({})
  .superRefine((alerts, ctx) => {
    if (alerts.topicArn !== undefined && alerts.emails.length > 0) {
      ctx.addIssue({ code: "custom", path: ["emails"], message: "set either emails (a topic is created) or topicArn, not both" });
    }
  }).describe("Where the environment's alarms notify (unhealthy targets, 5xx, drainer failures, job dead letters, failed retried jobs).");
