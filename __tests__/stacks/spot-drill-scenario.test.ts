import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeSpotInstanceRequestsCommand, EC2Client, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { readConfig, readRebalanceConfig } from "../../lambdas/spot-drainer/config";
import { SPOT_NOTICE_MS, drainForEvent } from "../../lambdas/spot-drainer/drain";
import { drainMetrics } from "../../lambdas/spot-drainer/emf";
import { type RebalanceSummary, drainAndTerminateForRebalance } from "../../lambdas/spot-drainer/rebalance";
import { resourcesOfType, synthExample } from "../support/synth";
import spotEvent from "../lambdas/fixtures/spot-interruption-warning.json";
import rebalanceEvent from "../lambdas/fixtures/rebalance-recommendation.json";
import { fakeClock } from "../lambdas/support/drainer";
import { FakeCluster } from "../lambdas/support/fake-cluster";
import { EXAMPLES } from "../support/examples";

/**
 * The drill on paper: what staging's FIS template does (aws:ec2:send-spot-instance-interruptions on its share of
 * the fleet's running Spot instances, 2 minutes ahead) run through the shipped drainer, with staging's drainer
 * settings as the stack passes them. EC2 sends each interrupted instance a rebalance recommendation and the
 * interruption warning at once; both reach the drainer. The drill passes when no request can reach a task that is
 * gone: every target of the interrupted instances is drained before its task is stopped, every task it stopped
 * had its stop timeout before the reclaim, the service never runs below one task, and no drain missed its deadline
 * (the metric the missed-deadline alarm watches).
 */
const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const ec2 = mockClient(EC2Client);

const TG_API = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/acme-api-api-staging/0123456789abcdef";
const T0 = Date.parse(spotEvent.time);
const FLEET = ["i-0a00000000000001", "i-0a00000000000002"];
const REPLACEMENT = "i-0b00000000000001";

/** Staging's drainer settings, read by the handler's own reader from the synthesized function's environment. */
function stagingDrainer() {
  const { json } = synthExample("staging");
  const fn = resourcesOfType(json, "aws_lambda_function").find((candidate) => /spot-drainer/.test(candidate.function_name));
  const variables = { ...(fn?.environment.variables as Record<string, string>), TARGET_GROUP_ARNS: TG_API };
  return { config: readConfig(variables), rebalance: readRebalanceConfig(variables) };
}

let clock: ReturnType<typeof fakeClock>;

beforeEach(() => {
  clock = fakeClock(T0 + 1_000);
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

afterEach(() => {
  ecs.reset();
  elb.reset();
  ec2.reset();
  vi.restoreAllMocks();
});

describe("Rehearse a Spot interruption: staging's drill through the drainer", () => {
  test("GIVEN staging's drill interrupting its share of the fleet WHEN EC2 warns those instances THEN the drainer moves every request and task off them before the reclaim", async () => {
    const { config, rebalance } = stagingDrainer();
    const drill = EXAMPLES.staging.spotDrill;
    expect(drill?.enabled).toBe(true);
    const deregistrationDelayMs = (EXAMPLES.staging.services?.[0]?.deregistrationDelaySeconds ?? 30) * 1000;
    const cluster = new FakeCluster(config.clusterName, [{ name: "api", desiredCount: 2, targetGroupArn: TG_API, containerPort: 80 }], clock, {
      moveMs: 20_000,
      exitMs: 3_000,
      deregistrationDelayMs,
    });
    for (const instance of FLEET) cluster.addInstance(instance, T0 - 86_400_000);
    // The fleet keeps its target capacity: the interrupted instance's replacement registers a minute in.
    cluster.addInstance(REPLACEMENT, T0 + 60_000);
    const api = FLEET.map((instance) => cluster.addTask(instance, "service:api"));
    const job = cluster.addTask(FLEET[0], "family:smoke-check");
    cluster.mock(ecs, elb);
    ec2.on(TerminateInstancesCommand).resolves({});
    // FIS has EC2 schedule the interruption: the instances' Spot requests are marked for termination.
    ec2.on(DescribeSpotInstanceRequestsCommand).resolves({ SpotInstanceRequests: [{ InstanceId: FLEET[0], State: "active", Status: { Code: "marked-for-termination" } }] });
    // The service never drops below one running task (sampled at every wait of the drainer).
    const running: number[] = [];
    const sleep = clock.sleep;
    clock.sleep = async (ms: number) => {
      running.push(cluster.runningTasks("api").length);
      await sleep(ms);
    };

    // FIS: PERCENT(n) of the running Spot instances, at least one.
    const interrupted = FLEET.slice(0, Math.max(1, Math.round((FLEET.length * (drill?.instancesPercent ?? 50)) / 100)));
    const deps = { ecs: new ECSClient({}), elb: new ElasticLoadBalancingV2Client({}), ec2: new EC2Client({}), now: clock.now, sleep: clock.sleep, random: () => 0.5 };
    const drains = await Promise.all(
      interrupted.flatMap((instance) => [
        drainForEvent({ ...spotEvent, id: `warning-${instance}`, detail: { "instance-id": instance, "instance-action": "terminate" } }, config, deps),
        drainAndTerminateForRebalance({ ...rebalanceEvent, id: `rebalance-${instance}`, time: spotEvent.time, detail: { "instance-id": instance } }, config, rebalance, deps),
      ]),
    );

    const reclaimAt = T0 + SPOT_NOTICE_MS;
    expect(interrupted).toEqual([FLEET[0]]);
    for (const drain of drains) expect(drain.finishedAt ?? clock.now()).toBeLessThanOrEqual(reclaimAt);
    // The warning's drain: the target drained, then the tasks left got SIGTERM with their full stop timeout before the reclaim.
    const warning = drains[0];
    expect(warning).toMatchObject({ markedDraining: true, deregisteredTargets: 1, drainedTargets: 1, targetsStillInUse: 0 });
    const apiTarget = `${TG_API} ${FLEET[0]}:${cluster.task(api[0]).hostPort}`;
    expect(cluster.task(api[0]).stopRequestedAt).toBeGreaterThanOrEqual((cluster.deregisteredAt.get(apiTarget) as number) + deregistrationDelayMs);
    for (const arn of [api[0], job]) expect((cluster.task(arn).stopRequestedAt as number) + config.stopTimeoutSeconds * 1000).toBeLessThanOrEqual(reclaimAt);
    expect(Math.min(...running)).toBeGreaterThanOrEqual(1);
    expect(cluster.runningTasks("api")).toHaveLength(2);
    expect(cluster.runningTasks("api")).not.toContain(FLEET[0]);
    // No drain missed its deadline: the missed-deadline alarm stays quiet.
    for (const drain of drains) expect(drainMetrics(drain, config.clusterName, { startedAt: T0, finishedAt: clock.now() })).toMatchObject({ DrainsMissedDeadline: 0 });
    // The recommendation that came with the warning never puts the doomed instance back into service: it terminates it
    // early once its work has moved, or leaves it DRAINING.
    const recommendation = drains[1] as RebalanceSummary;
    expect(recommendation.terminated ? recommendation.refused : recommendation.reactivated).toEqual(recommendation.terminated ? [] : false);
    expect(cluster.instance(FLEET[0]).status).toBe("DRAINING");
  });
});
