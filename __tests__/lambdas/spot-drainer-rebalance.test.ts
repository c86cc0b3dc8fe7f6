import { type MockInstance, afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeSpotInstanceRequestsCommand, EC2Client, EC2ServiceException, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import {
  AccessDeniedException,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ECSServiceException,
  ListContainerInstancesCommand,
  ListTasksCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  InvalidTargetException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { readRebalanceConfig } from "../../lambdas/spot-drainer/config";
import { handler } from "../../lambdas/spot-drainer/handler";
import { REBALANCE_RECOMMENDATION } from "../../lambdas/spot-drainer/drain";
import { TERMINATE_RESERVE_MS, TERMINATION_REFUSED, drainAndTerminateForRebalance, isRebalanceRecommendation, type RebalanceDeps } from "../../lambdas/spot-drainer/rebalance";
import rebalanceEvent from "./fixtures/rebalance-recommendation.json";
import { callOrder, drainerConfig, fakeClock, jsonLogLines, taskArnIn } from "./support/drainer";
import { FakeCluster, type SchedulerBehaviour } from "./support/fake-cluster";

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

const TG_API = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/0123456789abcdef";
const TG_EDGE = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/edge/fedcba9876543210";
const throttledEcs = () => new ECSServiceException({ name: "ThrottlingException", $fault: "client", message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
const throttledElb = () => new ElasticLoadBalancingV2ServiceException({ name: "Throttling", $fault: "client", message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });

let clock: ReturnType<typeof fakeClock>;
let log: MockInstance<typeof console.log>;
/** When TerminateInstances was sent, on the test's clock. */
let terminatedAt: number;

/**
 * Staging's shape: two instances (the recommended one and another), service `api` (2 replicas behind TG_API),
 * a load-balanced daemon `edge` and a daemon `agent`; the scheduler moves a replica 20 s after DRAINING
 * when there is room, and tasks exit 3 s after SIGTERM.
 */
function givenStaging(behaviour: Partial<SchedulerBehaviour> & { now?: () => number; apiDesiredCount?: number } = {}): FakeCluster {
  const now = behaviour.now ?? (() => clock.now());
  const cluster = new FakeCluster(
    CLUSTER,
    [
      { name: "api", desiredCount: behaviour.apiDesiredCount ?? 2, targetGroupArn: TG_API },
      { name: "edge", desiredCount: 0, daemon: true, targetGroupArn: TG_EDGE, containerPort: 9000 },
      { name: "agent", desiredCount: 0, daemon: true },
    ],
    { now },
    { moveMs: 20_000, exitMs: 3_000, ...behaviour },
  );
  cluster.addInstance(INSTANCE, START - 86_400_000);
  cluster.addInstance("i-0fedcba9876543210", START - 86_400_000);
  cluster.mock(ecs, elb);
  ec2.on(DescribeSpotInstanceRequestsCommand).resolves({ SpotInstanceRequests: [{ InstanceId: INSTANCE, State: "active", Status: { Code: "fulfilled" } }] });
  ec2.on(TerminateInstancesCommand).callsFake(() => {
    terminatedAt = now();
    return { TerminatingInstances: [{ InstanceId: INSTANCE }] };
  });
  return cluster;
}

const stoppedAt = (cluster: FakeCluster, arn: string): number => cluster.task(arn).stopRequestedAt ?? Number.NaN;
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
  terminatedAt = Number.NaN;
  log = vi.spyOn(console, "log").mockImplementation(() => undefined);
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

  test("GIVEN terminateAfterDrain is off and a replica the scheduler moves WHEN drained THEN the drain waits for it to leave and stops only the standalone task", async () => {
    const cluster = givenStaging();
    cluster.addTask("i-0fedcba9876543210", "service:api");
    const api = cluster.addTask(INSTANCE, "service:api");
    const job = cluster.addTask(INSTANCE, "family:report");

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: false }, deps());

    expect(summary).toMatchObject({ markedDraining: true, terminated: false, stoppedTasks: [job] });
    expect(ecs).not.toHaveReceivedCommandWith(StopTaskCommand, { task: api });
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { task: job, reason: `Spot rebalance: instance ${INSTANCE} replaced by its fleet` });
    expect(cluster.instance(INSTANCE).status).toBe("DRAINING");
  });

  test("GIVEN an event without detail.instance-id WHEN it arrives THEN it is skipped and nothing is touched", async () => {
    const summary = await drainAndTerminateForRebalance({ ...rebalanceEvent, detail: {} }, config, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ skipped: "missing-instance-id", terminated: false });
    expect(ecs).not.toHaveReceivedAnyCommand();
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
    const cluster = givenStaging();
    cluster.addTask(INSTANCE, "family:report");

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps({ remainingTimeMs: () => remainingMs }));

    expect(summary.deadline).toBe(deadline);
    expect(terminatedAt).toBeLessThanOrEqual(deadline);
    expect(summary.terminated).toBe(true);
  });

  test("GIVEN TERMINATE_AFTER_REBALANCE_DRAIN=true WHEN the handler gets a recommendation THEN it drains, terminates and publishes its metrics", async () => {
    vi.useFakeTimers({ now: START });
    vi.stubEnv("CLUSTER_NAME", CLUSTER);
    vi.stubEnv("DRAIN_ON_REBALANCE", "true");
    vi.stubEnv("TERMINATE_AFTER_REBALANCE_DRAIN", "true");
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const cluster = givenStaging({ now: Date.now });
    cluster.addTask(INSTANCE, "family:report");

    const pending = handler(rebalanceEvent, { getRemainingTimeInMillis: () => 100_000 });
    await vi.runAllTimersAsync();

    await expect(pending).resolves.toMatchObject({ instanceId: INSTANCE, terminated: true, refused: [] });
    expect(ec2).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: [INSTANCE] });
    const [line] = stdout.mock.calls.map(([chunk]) => JSON.parse(String(chunk)));
    expect(line).toMatchObject({ ClusterName: CLUSTER, EventsHandled: 1, TasksStopped: 1, DrainsMissedDeadline: 0, RebalanceTerminationsRefused: 0 });
  });
});

/** Rebalance drains that end in a termination: only when nothing runs or drains there and the work found a home. */
describe("rebalance recommendation: when terminating is safe", () => {
  const OTHER = "i-0fedcba9876543210";
  const REPLACEMENT = "i-0aaaabbbbccccdddd";

  test("GIVEN the scheduler moves the replica and a standalone task exits on SIGTERM WHEN drained THEN it is terminated after the task STOPPED", async () => {
    const cluster = givenStaging();
    cluster.addTask(INSTANCE, "service:api");
    cluster.addTask(OTHER, "service:api");
    const job = cluster.addTask(INSTANCE, "family:report");

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ markedDraining: true, stoppedTasks: [job], refused: [], terminated: true });
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: CLUSTER, task: job, reason: `Spot rebalance: instance ${INSTANCE} replaced by its fleet` });
    expect(ec2).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: [INSTANCE] });
    expect(cluster.runningTasks("api")).toEqual([OTHER, OTHER]);
    // Terminated once the job reported STOPPED (3 s after SIGTERM), never in the same instant as StopTask.
    expect(terminatedAt).toBeGreaterThanOrEqual(stoppedAt(cluster, job) + 3_000);
    expect(callOrder(ecs, ec2).at(-1)).toBe("TerminateInstancesCommand");
  });

  test("GIVEN a task that ignores SIGTERM WHEN its stop timeout is used up THEN TerminateInstances comes only after it STOPPED, not 0 ms after StopTask", async () => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    const job = cluster.addTask(INSTANCE, "family:report", 30_000);

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

    expect(summary.terminated).toBe(true);
    expect(terminatedAt - stoppedAt(cluster, job)).toBeGreaterThanOrEqual(config.stopTimeoutSeconds * 1000);
  });

  test("GIVEN a task still stopping at the deadline WHEN drained THEN it is not terminated, goes back to ACTIVE and the refusal is logged for the alarm", async () => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    cluster.addTask(INSTANCE, "family:report", 45_000);

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ terminated: false, refused: ["tasks-still-stopping"], reactivated: true });
    expect(ec2).not.toHaveReceivedCommand(TerminateInstancesCommand);
    expect(cluster.instance(INSTANCE).status).toBe("ACTIVE");
    expect(jsonLogLines(log)).toContainEqual(expect.objectContaining({ level: "error", alarm: TERMINATION_REFUSED, refused: ["tasks-still-stopping"] }));
    expect(jsonLogLines(log).map((line) => line.msg)).not.toContain("could not return the instance to ACTIVE");
  });

  test("GIVEN daemon tasks WHEN drained THEN they are stopped last, after the other tasks STOPPED", async () => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    const job = cluster.addTask(INSTANCE, "family:report");
    const agent = cluster.addTask(INSTANCE, "service:agent");
    cluster.addTask(OTHER, "service:agent");

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ stoppedTasks: [job, agent], terminated: true });
    expect(stoppedAt(cluster, agent)).toBeGreaterThanOrEqual(stoppedAt(cluster, job) + 3_000);
    expect(terminatedAt).toBeGreaterThanOrEqual(stoppedAt(cluster, agent) + 3_000);
  });

  test("GIVEN DeregisterTargets is refused and the instance's target stays healthy WHEN drained THEN it is not terminated and goes back to ACTIVE", async () => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    const edge = cluster.addTask(INSTANCE, "service:edge");
    cluster.targetStates.set(TG_EDGE, new Map([[`${INSTANCE}:${cluster.task(edge).hostPort}`, "healthy"]]));
    elb.on(DeregisterTargetsCommand).rejects(new InvalidTargetException({ message: "The following targets are not in a running state", $metadata: {} }));

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ terminated: false, refused: ["targets-in-use"], reactivated: true, targetsStillInUse: 1 });
    expect(ec2).not.toHaveReceivedCommand(TerminateInstancesCommand);
  });

  test.each([
    ["DescribeServices", () => ecs.on(DescribeServicesCommand).rejects(throttledEcs()), "could not check the services' running counts"],
    ["DescribeTargetHealth", () => elb.on(DescribeTargetHealthCommand).rejects(throttledElb()), "could not check the target groups"],
  ])("GIVEN %s throttled past the stop point WHEN drained THEN it is not terminated (check-failed) and goes back to ACTIVE", async (_api, throttle, failedCheck) => {
    const cluster = givenStaging();
    cluster.addTask(INSTANCE, "service:api");
    cluster.addTask(OTHER, "service:api");
    throttle();

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ terminated: false, refused: ["check-failed"], reactivated: true });
    expect(ec2).not.toHaveReceivedCommand(TerminateInstancesCommand);
    expect(cluster.instance(INSTANCE).status).toBe("ACTIVE");
    // The check that could not tell says so, and the checks after it still ran.
    expect(jsonLogLines(log)).toContainEqual(expect.objectContaining({ level: "error", msg: failedCheck }));
    expect(jsonLogLines(log).map((line) => line.msg)).not.toContain("rebalance drain failed");
  });

  test("GIVEN the instance was DRAINING already (an interruption warning's drain) WHEN terminating is refused THEN it stays DRAINING", async () => {
    const cluster = givenStaging();
    cluster.addTask(INSTANCE, "service:api");
    cluster.instance(INSTANCE).status = "DRAINING";
    cluster.instance(OTHER).status = "DRAINING";

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ markedDraining: false, terminated: false, refused: ["tasks-not-moved"], reactivated: false });
    expect(ecs).not.toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { status: "ACTIVE" });
    // Not ours to return to ACTIVE, so whether EC2 scheduled its interruption is not asked.
    expect(ec2).not.toHaveReceivedCommand(DescribeSpotInstanceRequestsCommand);
    expect(jsonLogLines(log)).toContainEqual(expect.objectContaining({ alarm: TERMINATION_REFUSED, interruptionScheduled: false }));
  });

  test("GIVEN EC2 has also scheduled the interruption (Spot request marked-for-termination) WHEN terminating is refused THEN it stays DRAINING for the warning's drain", async () => {
    const cluster = givenStaging();
    cluster.addTask(INSTANCE, "service:api");
    cluster.instance(OTHER).status = "DRAINING";
    ec2.on(DescribeSpotInstanceRequestsCommand, { Filters: [{ Name: "instance-id", Values: [INSTANCE] }] }).resolves({
      SpotInstanceRequests: [{ InstanceId: INSTANCE, State: "active", Status: { Code: "marked-for-termination" } }],
    });

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

    expect(summary).toMatchObject({ markedDraining: true, terminated: false, refused: ["tasks-not-moved"], reactivated: false });
    expect(cluster.instance(INSTANCE).status).toBe("DRAINING");
    expect(jsonLogLines(log)).toContainEqual(expect.objectContaining({ alarm: TERMINATION_REFUSED, interruptionScheduled: true }));
  });

  describe("both staging instances get a recommendation while their replacements still boot", () => {
    const both = async () => {
      const other = { ...rebalanceEvent, id: "second", detail: { "instance-id": OTHER } };
      return Promise.all([
        drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps()),
        drainAndTerminateForRebalance(other, config, { terminateAfterDrain: true }, deps()),
      ]);
    };

    test("GIVEN the scheduler has nowhere to move the replicas WHEN both drain THEN neither is terminated, nothing is stopped, both go back to ACTIVE", async () => {
      const cluster = givenStaging();
      cluster.addTask(INSTANCE, "service:api");
      cluster.addTask(OTHER, "service:api");

      const summaries = await both();

      expect(summaries.map((s) => [s.terminated, s.refused, s.reactivated])).toEqual([
        [false, ["tasks-not-moved"], true],
        [false, ["tasks-not-moved"], true],
      ]);
      expect(ecs).not.toHaveReceivedCommand(StopTaskCommand);
      expect(ec2).not.toHaveReceivedCommand(TerminateInstancesCommand);
      expect(cluster.runningTasks("api")).toHaveLength(2);
      expect([cluster.instance(INSTANCE).status, cluster.instance(OTHER).status]).toEqual(["ACTIVE", "ACTIVE"]);
    });

    test("GIVEN the scheduler stops the replicas without room (minimumHealthyPercent < 100) WHEN both drain THEN neither is terminated (no-room) and both go back to ACTIVE", async () => {
      const cluster = givenStaging({ stopsWithoutRoom: true });
      cluster.addTask(INSTANCE, "service:api");
      cluster.addTask(OTHER, "service:api");

      const summaries = await both();

      expect(summaries.map((s) => [s.terminated, s.refused, s.reactivated])).toEqual([
        [false, ["no-room"], true],
        [false, ["no-room"], true],
      ]);
      expect(ec2).not.toHaveReceivedCommand(TerminateInstancesCommand);
    });

    test("GIVEN the replacement joins 30 s in WHEN both drain THEN the replicas move there and both are terminated", async () => {
      const cluster = givenStaging();
      cluster.addInstance(REPLACEMENT, START + 30_000);
      cluster.addTask(INSTANCE, "service:api");
      cluster.addTask(OTHER, "service:api");

      const summaries = await both();

      expect(summaries.map((s) => [s.terminated, s.refused])).toEqual([
        [true, []],
        [true, []],
      ]);
      expect(cluster.runningTasks("api")).toEqual([REPLACEMENT, REPLACEMENT]);
      expect(ec2).toHaveReceivedCommandTimes(TerminateInstancesCommand, 2);
    });
  });
});

/** Each check before TerminateInstances decides on its own; a refusal returns the instance to ACTIVE unless it is not ours to. */
describe("rebalance recommendation: each safety check and the return to ACTIVE", () => {
  const OTHER = "i-0fedcba9876543210";
  const REPLACEMENT = "i-0aaaabbbbccccdddd";
  const EVENT_TIME = Date.parse(rebalanceEvent.time);
  const DEADLINE = START + 110_000;
  const rebalance = (extra: Partial<RebalanceDeps> = {}, cfg = config) => drainAndTerminateForRebalance(rebalanceEvent, cfg, { terminateAfterDrain: true }, deps(extra));
  const refusalLog = () => jsonLogLines(log).find((line) => line.alarm === TERMINATION_REFUSED);
  const accessDenied = () => new AccessDeniedException({ message: "not authorized", $metadata: { httpStatusCode: 400 } });

  test.each([
    ["registered at the recommendation's time", EVENT_TIME, {}, true, []],
    ["registered after it", START + 10_000, {}, true, []],
    ["registered 1 ms before it (an instance the cluster already had)", EVENT_TIME - 1, {}, false, ["no-room"]],
    ["registered after it but its agent is disconnected", START + 10_000, { agentConnected: false }, false, ["no-room"]],
    ["reported without a registration time", START + 10_000, { registeredAt: undefined }, false, ["no-room"]],
  ])(
    "GIVEN a service below its desired count and an ACTIVE instance %s WHEN drained THEN the replacement check decides whether it is terminated",
    async (_case, registeredAt, described, terminated, refused) => {
      const cluster = givenStaging({ apiDesiredCount: 3 });
      cluster.instance(OTHER).status = "DRAINING";
      cluster.addInstance(REPLACEMENT, registeredAt, described);
      cluster.addTask(INSTANCE, "service:api");

      const summary = await rebalance();

      expect(summary).toMatchObject({ terminated, refused });
      expect(ec2).toHaveReceivedCommandTimes(TerminateInstancesCommand, terminated ? 1 : 0);
      expect(cluster.runningTasks("api")).toEqual([REPLACEMENT]);
    },
  );

  test("GIVEN the scheduler stopped the replicas without room and a replacement joined later WHEN drained THEN it is terminated (the replacement gives them a home)", async () => {
    const cluster = givenStaging({ stopsWithoutRoom: true });
    cluster.instance(OTHER).status = "DRAINING";
    // The scheduler stops the replica at 20 s (nowhere to go); the replacement registers 2 s later, before the checks.
    cluster.addInstance(REPLACEMENT, START + 22_000);
    cluster.addTask(INSTANCE, "service:api");

    const summary = await rebalance();

    expect(summary).toMatchObject({ terminated: true, refused: [] });
  });

  test("GIVEN the only other instance is DRAINING and the scheduler stops the replica without room WHEN drained THEN it is refused for no-room alone", async () => {
    const cluster = givenStaging({ stopsWithoutRoom: true });
    cluster.instance(OTHER).status = "DRAINING";
    cluster.addTask(INSTANCE, "service:api");

    const summary = await rebalance();

    expect(summary).toMatchObject({ terminated: false, refused: ["no-room"], reactivated: true, targetsStillInUse: 0 });
    expect(cluster.instance(INSTANCE).status).toBe("ACTIVE");
    expect(refusalLog()).toMatchObject({ level: "error", refused: ["no-room"], liveTasks: 0, targetsInUse: 0, reactivated: true });
    // The metric filter of the refused-termination alarm matches this literal.
    expect(refusalLog()).toMatchObject({ alarm: "RebalanceTerminationRefused" });
    expect(jsonLogLines(log)).toContainEqual(expect.objectContaining({ level: "warn", services: ["api"] }));
  });

  test.each([
    ["STOPPING (it takes 150 s to exit)", 150_000],
    ["DEACTIVATING (it takes 1000 s to exit)", 1_000_000],
  ])("GIVEN a replica the scheduler moved is still %s at the deadline WHEN drained THEN it is refused for tasks-still-stopping alone", async (_case, exitMs) => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    const slow = cluster.addTask(INSTANCE, "service:api", exitMs);

    const summary = await rebalance();

    expect(cluster.task(slow).desiredStatus).toBe("STOPPED");
    expect(summary).toMatchObject({ terminated: false, refused: ["tasks-still-stopping"], reactivated: true });
    // The operator's answer to "which task held it": the live task and its status at the deadline.
    expect(jsonLogLines(log)).toContainEqual(expect.objectContaining({ level: "warn", live: [`${slow} ${exitMs === 150_000 ? "STOPPING" : "DEACTIVATING"}`] }));
    expect(refusalLog()).toMatchObject({ refused: ["tasks-still-stopping"], liveTasks: 1, targetsInUse: 0 });
    expect(ec2).not.toHaveReceivedCommand(TerminateInstancesCommand);
  });

  test("GIVEN the Spot request lookup throttled until the deadline WHEN terminating is refused after the checks THEN finishedAt is the drain's end, not the lookup's", async () => {
    const cluster = givenStaging({ stopsWithoutRoom: true });
    cluster.instance(OTHER).status = "DRAINING";
    cluster.addTask(INSTANCE, "service:api");
    ec2.on(DescribeSpotInstanceRequestsCommand).rejects(new EC2ServiceException({ name: "RequestLimitExceeded", $fault: "client", message: "Request limit exceeded.", $metadata: { httpStatusCode: 503 } }));

    const summary = await rebalance();

    expect(summary).toMatchObject({ refused: ["no-room"], reactivated: true });
    expect(summary.finishedAt).toBeLessThan(START + 30_000);
    expect(clock.now()).toBeGreaterThan(DEADLINE - 5_000);
  });

  test("GIVEN a moved replica whose target drains for 300 s (deregistration delay) WHEN drained THEN both the live task and the draining target are reported", async () => {
    const cluster = givenStaging({ deregistrationDelayMs: 300_000 });
    cluster.addTask(OTHER, "service:api");
    cluster.addTask(INSTANCE, "service:api");

    const summary = await rebalance();

    expect(summary).toMatchObject({ terminated: false, refused: ["tasks-still-stopping", "targets-in-use"], targetsStillInUse: 1, reactivated: true });
    expect(refusalLog()).toMatchObject({ refused: ["tasks-still-stopping", "targets-in-use"], liveTasks: 1, targetsInUse: 1 });
  });

  test.each([
    ["draining", ["targets-in-use"], 1],
    ["healthy", ["targets-in-use"], 1],
    ["initial", ["targets-in-use"], 1],
    ["unhealthy", ["targets-in-use"], 1],
    ["unused", [], 0],
  ] as const)("GIVEN the instance's daemon target reports %s WHEN drained THEN refused is %j", async (state, refused, inUse) => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    cluster.addTask(OTHER, "service:edge");
    const edge = cluster.addTask(INSTANCE, "service:edge");
    cluster.targetStates.set(TG_EDGE, new Map([[`${INSTANCE}:${cluster.task(edge).hostPort}`, state]]));

    const summary = await rebalance();

    // The other instance's healthy edge target is not this instance's.
    expect(summary).toMatchObject({ terminated: inUse === 0, refused, targetsStillInUse: inUse, deregisteredTargets: 1 });
    // The operator's answer to "which target held it": group, port and state, only when one did.
    const targetLines = jsonLogLines(log).filter((line) => line.level === "warn" && line.targets !== undefined);
    expect(targetLines).toEqual(inUse === 0 ? [] : [expect.objectContaining({ level: "warn", targetGroupArn: TG_EDGE, targets: [{ id: INSTANCE, port: cluster.task(edge).hostPort, state }] })]);
  });

  test("GIVEN targets of the instance still draining in two target groups WHEN drained THEN both count", async () => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    const api = cluster.addTask(INSTANCE, "service:api");
    const edge = cluster.addTask(INSTANCE, "service:edge");
    cluster.targetStates.set(TG_API, new Map([[`${INSTANCE}:${cluster.task(api).hostPort}`, "draining"]]));
    cluster.targetStates.set(TG_EDGE, new Map([[`${INSTANCE}:${cluster.task(edge).hostPort}`, "draining"]]));

    const summary = await rebalance();

    expect(summary).toMatchObject({ terminated: false, refused: ["targets-in-use"], targetsStillInUse: 2 });
    expect(refusalLog()).toMatchObject({ targetsInUse: 2 });
  });

  test.each([
    ["the environment's target groups (TARGET_GROUP_ARNS) include it", [TG_EDGE], false],
    ["the environment's target groups do not include it", [TG_API], true],
  ])("GIVEN a draining edge target and %s WHEN drained THEN only those target groups are checked", async (_case, targetGroupArns, terminated) => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    const edge = cluster.addTask(INSTANCE, "service:edge");
    cluster.targetStates.set(TG_EDGE, new Map([[`${INSTANCE}:${cluster.task(edge).hostPort}`, "draining"]]));

    const summary = await rebalance({}, { ...config, targetGroupArns });

    expect(summary.terminated).toBe(terminated);
  });

  test.each([
    ["services at their desired count (the lookup is not needed)", 2, true, []],
    ["a service below its desired count", 3, false, ["check-failed"]],
  ])("GIVEN the cluster's ACTIVE instances cannot be listed (throttled) and %s WHEN drained THEN it is refused only if the lookup was needed", async (_case, apiDesiredCount, terminated, refused) => {
    const cluster = givenStaging({ apiDesiredCount });
    cluster.addTask(OTHER, "service:api");
    cluster.addTask(INSTANCE, "service:api");
    ecs.on(ListContainerInstancesCommand, { status: "ACTIVE" }).rejects(throttledEcs());

    const summary = await rebalance();

    expect(summary).toMatchObject({ terminated, refused });
  });

  test.each([
    ["no replacement joined", false, ["check-failed"]],
    ["a replacement joined", true, []],
  ])("GIVEN DescribeServices reports a failure for the service and %s WHEN drained THEN only a replacement allows terminating", async (_case, joined, refused) => {
    const cluster = givenStaging();
    if (joined) cluster.addInstance(REPLACEMENT, START + 5_000);
    cluster.addTask(OTHER, "service:api");
    cluster.addTask(INSTANCE, "service:api");
    ecs.on(DescribeServicesCommand).resolves({
      services: [{ serviceName: "api", schedulingStrategy: "REPLICA", desiredCount: 2, runningCount: 2, loadBalancers: [{ targetGroupArn: TG_API, containerName: "api", containerPort: 8080 }] }],
      failures: [{ arn: `arn:aws:ecs:eu-west-1:123456789012:service/${CLUSTER}/api`, reason: "MISSING" }],
    });

    const summary = await rebalance();

    expect(summary).toMatchObject({ terminated: joined, refused });
  });

  test("GIVEN DescribeServices throttled throughout, the environment's target groups known and a replacement joined WHEN drained THEN it is terminated", async () => {
    const cluster = givenStaging();
    cluster.addInstance(REPLACEMENT, START + 5_000);
    cluster.addTask(INSTANCE, "service:api");
    ecs.on(DescribeServicesCommand).rejects(throttledEcs());

    const summary = await rebalance({}, { ...config, targetGroupArns: [TG_API, TG_EDGE] });

    expect(summary).toMatchObject({ terminated: true, refused: [] });
  });

  test("GIVEN DescribeServices throttled throughout and no environment target groups WHEN drained THEN it is refused (check-failed): the instance's target groups are unknown, even with a replacement", async () => {
    const cluster = givenStaging();
    cluster.addInstance(REPLACEMENT, START + 5_000);
    cluster.addTask(INSTANCE, "service:api");
    ecs.on(DescribeServicesCommand).rejects(throttledEcs());

    const summary = await rebalance();

    expect(summary).toMatchObject({ terminated: false, refused: ["check-failed"] });
    expect(elb).not.toHaveReceivedCommand(DescribeTargetHealthCommand);
  });

  // The look-ups before the wait give up early enough to leave two stop timeouts (standalone tasks, then daemons).
  test.each([
    ["ListTasks", () => ecs.on(ListTasksCommand).rejects(throttledEcs()), DEADLINE - 60_000],
    ["DescribeTasks", () => ecs.on(DescribeTasksCommand).rejects(throttledEcs()), DEADLINE - 60_000],
    ["ListTasks of the final emptiness check (desired status STOPPED)", () => ecs.on(ListTasksCommand, { desiredStatus: "STOPPED" }).rejects(throttledEcs()), DEADLINE],
  ])("GIVEN %s throttled past its retry window WHEN drained THEN it is refused for check-failed alone and goes back to ACTIVE", async (_api, throttle, givesUpBy) => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    cluster.addTask(INSTANCE, "service:api");
    throttle();

    const summary = await rebalance();

    expect(summary).toMatchObject({ terminated: false, refused: ["check-failed"], reactivated: true });
    expect(summary.finishedAt).toBeLessThanOrEqual(givesUpBy);
    expect(summary.finishedAt).toBeGreaterThan(givesUpBy - 10_000);
    expect(cluster.instance(INSTANCE).status).toBe("ACTIVE");
    expect(ec2).not.toHaveReceivedCommand(TerminateInstancesCommand);
    expect(refusalLog()).toMatchObject({ level: "error", refused: ["check-failed"] });
  });

  test("GIVEN StopTask is denied for a standalone task WHEN drained THEN the task still runs and the instance is refused for tasks-still-stopping", async () => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    const job = cluster.addTask(INSTANCE, "family:report");
    ecs.on(StopTaskCommand).rejects(accessDenied());

    const summary = await rebalance();

    expect(summary).toMatchObject({ terminated: false, refused: ["tasks-still-stopping"], stoppedTasks: [] });
    expect(cluster.task(job).desiredStatus).toBe("RUNNING");
  });

  test("GIVEN TerminateInstances throttled once WHEN the drained instance is terminated THEN the call is retried", async () => {
    const cluster = givenStaging();
    cluster.addTask(INSTANCE, "family:report");
    ec2
      .on(TerminateInstancesCommand)
      .rejectsOnce(new EC2ServiceException({ name: "RequestLimitExceeded", $fault: "client", message: "Request limit exceeded.", $metadata: { httpStatusCode: 503 } }))
      .resolves({ TerminatingInstances: [{ InstanceId: INSTANCE }] });

    const summary = await rebalance();

    expect(summary.terminated).toBe(true);
    expect(ec2).toHaveReceivedCommandTimes(TerminateInstancesCommand, 2);
  });

  test("GIVEN TerminateInstances throttled throughout WHEN the drained instance would be terminated THEN it retries into the time kept after the deadline, and no further", async () => {
    const cluster = givenStaging();
    cluster.addTask(INSTANCE, "family:report");
    ec2.on(TerminateInstancesCommand).rejects(new EC2ServiceException({ name: "RequestLimitExceeded", $fault: "client", message: "Request limit exceeded.", $metadata: { httpStatusCode: 503 } }));

    await expect(rebalance()).rejects.toThrow("Request limit exceeded.");
    expect(clock.now()).toBeGreaterThan(DEADLINE);
    expect(clock.now()).toBeLessThanOrEqual(DEADLINE + TERMINATE_RESERVE_MS);
  });

  test("GIVEN TerminateInstances is denied WHEN the drained instance would be terminated THEN the drain fails with the error (the handler reports it)", async () => {
    const cluster = givenStaging();
    cluster.addTask(INSTANCE, "family:report");
    ec2.on(TerminateInstancesCommand).rejects(new EC2ServiceException({ name: "UnauthorizedOperation", $fault: "client", message: "not authorized", $metadata: { httpStatusCode: 403 } }));

    await expect(rebalance()).rejects.toThrow("not authorized");
  });

  describe("the return to ACTIVE after a refusal (the replica has nowhere to go)", () => {
    const givenUnmovable = (): { cluster: FakeCluster; api: string } => {
      const cluster = givenStaging();
      cluster.instance(OTHER).status = "DRAINING";
      const api = cluster.addTask(INSTANCE, "service:api");
      return { cluster, api };
    };
    const spotStatus = (Status?: { Code: string }) => () =>
      ec2.on(DescribeSpotInstanceRequestsCommand, { Filters: [{ Name: "instance-id", Values: [INSTANCE] }] }).resolves({ SpotInstanceRequests: [{ InstanceId: INSTANCE, State: "active", Status }] });

    test.each([
      ["its Spot request is fulfilled", spotStatus({ Code: "fulfilled" }), true, false],
      ["its Spot request has no status", spotStatus(undefined), true, false],
      ["no Spot request is found", () => ec2.on(DescribeSpotInstanceRequestsCommand).resolves({ SpotInstanceRequests: [] }), true, false],
      ["the Spot request lookup fails (unknown counts as not scheduled)", () => ec2.on(DescribeSpotInstanceRequestsCommand).rejects(new EC2ServiceException({ name: "UnauthorizedOperation", $fault: "client", message: "denied", $metadata: { httpStatusCode: 403 } })), true, false],
      ["its Spot request is marked-for-stop", spotStatus({ Code: "marked-for-stop" }), false, true],
      ["its Spot request is marked-for-hibernation", spotStatus({ Code: "marked-for-hibernation" }), false, true],
    ])("GIVEN %s WHEN terminating is refused THEN it returns to ACTIVE unless the interruption is scheduled", async (_case, given, reactivated, interruptionScheduled) => {
      const { cluster, api } = givenUnmovable();
      given();

      const summary = await rebalance();

      expect(summary).toMatchObject({ markedDraining: true, terminated: false, refused: ["tasks-not-moved"], reactivated });
      expect(cluster.instance(INSTANCE).status).toBe(reactivated ? "ACTIVE" : "DRAINING");
      expect(refusalLog()).toMatchObject({ level: "error", refused: ["tasks-not-moved"], reactivated, interruptionScheduled, unmoved: [api] });
    });

    test.each([
      ["refuses it in failures[]", () => ecs.on(UpdateContainerInstancesStateCommand, { status: "ACTIVE" }).resolves({ containerInstances: [], failures: [{ arn: CI_ARN, reason: "INACTIVE" }] })],
      ["is denied", () => ecs.on(UpdateContainerInstancesStateCommand, { status: "ACTIVE" }).rejects(accessDenied())],
    ])("GIVEN UpdateContainerInstancesState to ACTIVE %s WHEN terminating is refused THEN reactivated is false and the refusal is still logged", async (_case, given) => {
      const { cluster } = givenUnmovable();
      given();

      const summary = await rebalance();

      expect(summary).toMatchObject({ terminated: false, refused: ["tasks-not-moved"], reactivated: false });
      expect(cluster.instance(INSTANCE).status).toBe("DRAINING");
      expect(refusalLog()).toMatchObject({ level: "error", reactivated: false });
      expect(jsonLogLines(log).filter((line) => line.level === "error")).toHaveLength(2);
    });

    test.each([
      ["no daemon on it: the stop point is one stop timeout before the deadline", false, DEADLINE - 30_000],
      ["a daemon on it: the stop point leaves a second stop timeout for the daemon", true, DEADLINE - 60_000],
    ])("GIVEN %s WHEN the replica never leaves THEN the refusal comes at the stop point and nothing is stopped", async (_case, daemon, stopPoint) => {
      const { cluster, api } = givenUnmovable();
      if (daemon) cluster.addTask(INSTANCE, "service:agent");

      const summary = await rebalance();

      expect(summary).toMatchObject({ refused: ["tasks-not-moved"], finishedAt: stopPoint, stoppedTasks: [] });
      expect(ecs).not.toHaveReceivedCommand(StopTaskCommand);
      // The daemon stays, and is not what blocks the termination.
      expect(refusalLog()).toMatchObject({ unmoved: [api] });
    });
  });

  test("GIVEN a standalone task that uses its whole stop timeout and a load-balanced daemon WHEN drained THEN the daemon's target is deregistered and the daemon stopped one stop timeout before the deadline, after the standalone task", async () => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    const job = cluster.addTask(INSTANCE, "family:report", 60_000);
    const edge = cluster.addTask(INSTANCE, "service:edge");

    const summary = await rebalance();

    expect(stoppedAt(cluster, job)).toBe(DEADLINE - 60_000);
    expect(stoppedAt(cluster, edge)).toBe(DEADLINE - 30_000);
    expect(cluster.deregisteredAt.get(`${TG_EDGE} ${INSTANCE}:${cluster.task(edge).hostPort}`)).toBe(DEADLINE - 30_000);
    expect(summary).toMatchObject({ stoppedTasks: [job, edge], deregisteredTargets: 1, terminated: true });
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

/** What a drain that ends well leaves out: it asks, waits and logs no more than its decision needs. */
describe("rebalance recommendation: a clean drain does nothing more", () => {
  const OTHER = "i-0fedcba9876543210";
  const rebalance = () => drainAndTerminateForRebalance(rebalanceEvent, config, { terminateAfterDrain: true }, deps());

  test.each([
    ["aws.ec2", true],
    ["custom.app", false],
  ])("GIVEN an event from %s with the recommendation's detail-type THEN it is a recommendation: %s", (source, expected) => {
    expect(isRebalanceRecommendation({ source, "detail-type": REBALANCE_RECOMMENDATION })).toBe(expected);
  });

  test("GIVEN a standalone task that exits on SIGTERM WHEN drained THEN it is terminated within a poll of the task's exit, and nothing is refused, reactivated or described for services", async () => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    const job = cluster.addTask(INSTANCE, "family:report");

    const summary = await rebalance();

    expect(summary).toMatchObject({ terminated: true, refused: [] });
    expect(terminatedAt).toBeLessThanOrEqual(stoppedAt(cluster, job) + 3_000 + config.pollIntervalSeconds * 1000);
    expect(ecs).not.toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { status: "ACTIVE" });
    // No service ran there: DescribeServices, which refuses an empty list, is not called for the room check.
    expect(ecs).not.toHaveReceivedCommandWith(DescribeServicesCommand, { services: [] });
    const lines = jsonLogLines(log);
    expect(lines.filter((line) => line.alarm === TERMINATION_REFUSED || line.live !== undefined)).toEqual([]);
  });

  test("GIVEN only a daemon task on the instance WHEN drained THEN it is stopped at once: no other task is there to wait for", async () => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    cluster.addTask(OTHER, "service:agent");
    const agent = cluster.addTask(INSTANCE, "service:agent");

    const summary = await rebalance();

    expect(summary).toMatchObject({ stoppedTasks: [agent], terminated: true });
    expect(stoppedAt(cluster, agent)).toBeLessThan(START + config.pollIntervalSeconds * 1000);
  });

  test("GIVEN the final task listing is denied WHEN drained THEN that check fails on its own (check-failed) and the target and room checks still run", async () => {
    const cluster = givenStaging();
    cluster.addTask(OTHER, "service:api");
    cluster.addTask(INSTANCE, "family:report");
    ecs.on(ListTasksCommand, { desiredStatus: "STOPPED" }).rejects(new AccessDeniedException({ message: "not authorized", $metadata: { httpStatusCode: 400 } }));

    const summary = await rebalance();

    expect(summary).toMatchObject({ terminated: false, refused: ["check-failed"], reactivated: true, targetsStillInUse: 0 });
    expect(jsonLogLines(log)).toContainEqual(expect.objectContaining({ level: "error", msg: "could not check the instance's tasks" }));
    expect(jsonLogLines(log).map((line) => line.msg)).not.toContain("rebalance drain failed");
  });
});
