import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { EC2Client, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { readRebalanceConfig } from "../../lambdas/spot-drainer/config";
import { handler } from "../../lambdas/spot-drainer/handler";
import { TERMINATE_RESERVE_MS, drainAndTerminateForRebalance, type RebalanceDeps } from "../../lambdas/spot-drainer/rebalance";
import rebalanceEvent from "./fixtures/rebalance-recommendation.json";
import { callOrder, drainerConfig, fakeClock, taskArnIn } from "./support/drainer";

const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const ec2 = mockClient(EC2Client);

const CLUSTER = "acme-api-staging";
const INSTANCE = rebalanceEvent.detail["instance-id"];
const CI_ARN = `arn:aws:ecs:us-east-2:123456789012:container-instance/${CLUSTER}/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;
const START = Date.parse(rebalanceEvent.time) + 2_000;
const config = { ...drainerConfig(CLUSTER), drainOnRebalance: true };
const standalone = (n: number) => ({ taskArn: taskArnIn(CLUSTER)(n), group: "family:report", lastStatus: "RUNNING", containers: [] });

/** The instance is in the cluster with one standalone task, which never leaves by itself. */
function givenClusterInstance(): void {
  ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CI_ARN] });
  ecs.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [{ containerInstanceArn: CI_ARN, ec2InstanceId: INSTANCE, status: "ACTIVE" }], failures: [] });
  ecs.on(UpdateContainerInstancesStateCommand).resolves({ containerInstances: [{ containerInstanceArn: CI_ARN }], failures: [] });
  ecs.on(ListTasksCommand).resolves({ taskArns: [standalone(1).taskArn] });
  ecs.on(DescribeTasksCommand).resolves({ tasks: [standalone(1)] });
  ecs.on(StopTaskCommand).resolves({});
  ec2.on(TerminateInstancesCommand).resolves({ TerminatingInstances: [{ InstanceId: INSTANCE }] });
}

let clock: ReturnType<typeof fakeClock>;
const deps = (extra: Partial<RebalanceDeps> = {}): RebalanceDeps => ({
  ecs: new ECSClient({}),
  elb: new ElasticLoadBalancingV2Client({}),
  ec2: new EC2Client({}),
  now: clock.now,
  sleep: clock.sleep,
  random: () => 0.5,
  ...extra,
});

beforeEach(() => {
  clock = fakeClock(START);
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

afterEach(() => {
  ecs.reset();
  elb.reset();
  ec2.reset();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe("rebalance recommendation for a Spot Fleet instance with capacity rebalance", () => {
  test("GIVEN terminateAfterDrain WHEN the recommendation arrives THEN the instance is drained first and terminated after its tasks stopped", async () => {
    givenClusterInstance();

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ instanceId: INSTANCE, markedDraining: true, stoppedTasks: [standalone(1).taskArn], terminated: true });
    expect(ec2).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: [INSTANCE] });
    expect(callOrder(ecs, ec2).slice(-2)).toEqual(["StopTaskCommand", "TerminateInstancesCommand"]);
  });

  test("GIVEN the scheduler moves the tasks WHEN drained THEN nothing is stopped and the instance is terminated once it is empty", async () => {
    givenClusterInstance();
    // The scheduler has moved the task 20 s into the drain, however often the drainer looks.
    const moved = () => clock.now() >= START + 20_000;
    let looks = 0;
    ecs.on(DescribeContainerInstancesCommand).callsFake(() => {
      looks += 1;
      const runningTasksCount = moved() ? 0 : 1;
      return { containerInstances: [{ containerInstanceArn: CI_ARN, ec2InstanceId: INSTANCE, status: looks === 1 ? "ACTIVE" : "DRAINING", runningTasksCount }], failures: [] };
    });
    ecs.on(ListTasksCommand).callsFake(() => ({ taskArns: moved() ? [] : [standalone(1).taskArn] }));
    ecs.on(DescribeTasksCommand).callsFake(() => ({ tasks: [{ ...standalone(1), lastStatus: moved() ? "STOPPED" : "RUNNING" }] }));

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ stoppedTasks: [], terminated: true });
    expect(ecs).not.toHaveReceivedCommand(StopTaskCommand);
    expect(clock.now()).toBeLessThan(START + 110_000 - 30_000);
  });

  test("GIVEN terminateAfterDrain is off WHEN the recommendation arrives THEN the instance is drained and left running", async () => {
    givenClusterInstance();

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: false }, deps());

    expect(summary).toMatchObject({ markedDraining: true, terminated: false });
    expect(ec2).not.toHaveReceivedAnyCommand();
  });

  test.each([
    ["an instance of another cluster (or none)", () => ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] }), "not-in-cluster"],
    [
      "a container instance that is gone",
      () => {
        ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CI_ARN] });
        ecs.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [], failures: [{ arn: CI_ARN, reason: "MISSING" }] });
      },
      "container-instance-missing",
    ],
  ])("GIVEN %s WHEN the recommendation arrives THEN nothing is terminated", async (_case, given, skipped) => {
    given();

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ skipped, terminated: false });
    expect(ec2).not.toHaveReceivedAnyCommand();
  });

  test("GIVEN DRAIN_ON_REBALANCE is off WHEN the recommendation arrives THEN nothing is touched", async () => {
    const summary = await drainAndTerminateForRebalance(rebalanceEvent, { ...config, drainOnRebalance: false }, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ skipped: "rebalance-disabled", terminated: false });
    expect(ecs).not.toHaveReceivedAnyCommand();
    expect(ec2).not.toHaveReceivedAnyCommand();
  });

  test.each([
    ["the invocation has ample time: the 2-minute budget of a warning arriving now", 900_000, START + 110_000],
    ["the invocation ends first: its end minus the time kept for TerminateInstances", 60_000, START + 60_000 - TERMINATE_RESERVE_MS],
  ])("GIVEN %s WHEN drained THEN the deadline is the earlier one", async (_case, remainingMs, deadline) => {
    givenClusterInstance();

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps({ remainingTimeMs: () => remainingMs }));

    expect(summary.deadline).toBe(deadline);
    // StopTask went out at the stop point (deadline − stop timeout) at the latest, TerminateInstances after it.
    expect(clock.now()).toBeLessThanOrEqual(deadline);
    expect(summary.terminated).toBe(true);
  });

  test("GIVEN TERMINATE_AFTER_REBALANCE_DRAIN=true WHEN the handler gets a recommendation THEN it drains and terminates", async () => {
    vi.useFakeTimers({ now: START });
    vi.stubEnv("CLUSTER_NAME", CLUSTER);
    vi.stubEnv("DRAIN_ON_REBALANCE", "true");
    vi.stubEnv("TERMINATE_AFTER_REBALANCE_DRAIN", "true");
    givenClusterInstance();

    const pending = handler(rebalanceEvent, { getRemainingTimeInMillis: () => 100_000 });
    await vi.runAllTimersAsync();

    await expect(pending).resolves.toMatchObject({ instanceId: INSTANCE, terminated: true });
    expect(ec2).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: [INSTANCE] });
  });
});

describe("readRebalanceConfig", () => {
  test.each([
    [{}, false],
    [{ TERMINATE_AFTER_REBALANCE_DRAIN: "true" }, true],
    [{ TERMINATE_AFTER_REBALANCE_DRAIN: "FALSE" }, false],
  ])("GIVEN %j WHEN read THEN terminateAfterDrain is %s", (env, expected) => {
    expect(readRebalanceConfig(env)).toEqual({ terminateAfterDrain: expected });
  });

  test("GIVEN a value that is not a boolean WHEN read THEN the error names the variable", () => {
    expect(() => readRebalanceConfig({ TERMINATE_AFTER_REBALANCE_DRAIN: "yes" })).toThrow("TERMINATE_AFTER_REBALANCE_DRAIN");
  });
});
