import { MockInstance, afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { muteMetricLines } from "../support/emf";
import { mockClient } from "aws-sdk-client-mock";
import {
  AccessDeniedException,
  ClientException,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListContainerInstancesCommand,
  ServerException,
  ListTasksCommand,
  Service,
  StopTaskCommand,
  Task,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  TargetDescription,
  TargetHealthStateEnum,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { handler } from "../../lambdas/spot-drainer/handler";
import { DrainDeps, drainForEvent } from "../../lambdas/spot-drainer/drain";
import { DrainerConfig, readConfig } from "../../lambdas/spot-drainer/config";
import { withRetry } from "../../lambdas/spot-drainer/retry";
import spotEvent from "./fixtures/spot-interruption-warning.json";
import rebalanceEvent from "./fixtures/rebalance-recommendation.json";
import stateChangeEvent from "./fixtures/instance-state-change.json";
import { callOrder, drainerConfig, fakeClock, jsonLogLines, taskArnIn } from "./support/drainer";

const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);

const INSTANCE = spotEvent.detail["instance-id"];
const CLUSTER = "api-prod";
const CI_ARN = "arn:aws:ecs:us-east-2:123456789012:container-instance/api-prod/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const TG_WEB = "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/web/0123456789abcdef";
const TG_ADMIN = "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/admin/fedcba9876543210";
const EVENT_TIME = Date.parse(spotEvent.time);
// 120 s notice − 10 s margin; tasks get 30 s (stop timeout) before that.
const DEADLINE = EVENT_TIME + 110_000;
const STOP_AT = DEADLINE - 30_000;

const config: DrainerConfig = drainerConfig(CLUSTER);

const SERVICES: Service[] = [
  { serviceName: "web", loadBalancers: [{ targetGroupArn: TG_WEB, containerName: "web", containerPort: 8080 }] },
  { serviceName: "admin", loadBalancers: [{ targetGroupArn: TG_ADMIN, containerName: "admin", containerPort: 3000 }] },
];

const taskArn = taskArnIn(CLUSTER);

function serviceTask(n: number, service: "web" | "admin", containerPort: number, hostPort: number): Task {
  return {
    taskArn: taskArn(n),
    group: `service:${service}`,
    lastStatus: "RUNNING",
    containers: [
      { name: "log-router", networkBindings: [] },
      {
        name: service,
        networkBindings: [
          { bindIP: "0.0.0.0", containerPort, hostPort, protocol: "tcp" },
          { bindIP: "::", containerPort, hostPort, protocol: "tcp" },
        ],
      },
    ],
  };
}

const standaloneTask = (n: number): Task => ({
  taskArn: taskArn(n),
  group: "family:nightly-report",
  lastStatus: "RUNNING",
  containers: [{ name: "report", networkBindings: [] }],
});

/** A busy instance: 2 web tasks, 1 admin task, 147 standalone tasks (150 in all, listed over 2 pages). */
function busyInstanceTasks(): Task[] {
  const tasks = [serviceTask(0, "web", 8080, 32768), serviceTask(1, "web", 8080, 32770), serviceTask(2, "admin", 3000, 32769)];
  for (let n = 3; n < 150; n++) tasks.push(standaloneTask(n));
  return tasks;
}

interface Scenario {
  status?: string;
  tasks?: Task[];
  /** Health states returned by successive DescribeTargetHealth polls per target group; the last one repeats. */
  health?: Record<string, TargetHealthStateEnum[]>;
}

/** Mocks ECS/ELBv2 as a cluster holding INSTANCE with the given tasks; responses are derived from the inputs. */
function givenInstance({ status = "ACTIVE", tasks = busyInstanceTasks(), health = {} }: Scenario = {}): void {
  const byArn = new Map(tasks.map((t) => [t.taskArn, t]));
  const arns = tasks.map((t) => t.taskArn as string);
  ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CI_ARN] });
  ecs.on(DescribeContainerInstancesCommand).resolves({
    containerInstances: [{ containerInstanceArn: CI_ARN, ec2InstanceId: INSTANCE, status }],
    failures: [],
  });
  ecs.on(UpdateContainerInstancesStateCommand).resolves({ containerInstances: [{ containerInstanceArn: CI_ARN }], failures: [] });
  ecs.on(ListTasksCommand).callsFake((input: { nextToken?: string }) =>
    input.nextToken === "page-2" ? { taskArns: arns.slice(100) } : { taskArns: arns.slice(0, 100), nextToken: arns.length > 100 ? "page-2" : undefined },
  );
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({ tasks: input.tasks.map((arn) => byArn.get(arn)) }));
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: SERVICES.filter((s) => input.services.includes(s.serviceName as string)),
    failures: [],
  }));
  ecs.on(StopTaskCommand).resolves({});
  elb.on(DeregisterTargetsCommand).resolves({});
  for (const [tg, states] of Object.entries(health)) {
    const queue = [...states];
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: tg }).callsFake((input: { Targets: TargetDescription[] }) => {
      const State = queue.length > 1 ? queue.shift() : queue[0];
      const Reason = State === "unused" ? "Target.NotRegistered" : "Target.DeregistrationInProgress";
      return { TargetHealthDescriptions: input.Targets.map((Target) => ({ Target, TargetHealth: { State, Reason } })) };
    });
  }
}

let clock: ReturnType<typeof fakeClock>;
let logSpy: MockInstance<typeof console.log>;

function deps(): DrainDeps {
  return {
    ecs: new ECSClient({ region: "us-east-2" }),
    elb: new ElasticLoadBalancingV2Client({ region: "us-east-2" }),
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
  };
}

const logLines = (): Record<string, unknown>[] => jsonLogLines(logSpy);

const commandsSent = (): string[] => callOrder(ecs, elb);

const throttled = (name = "ThrottlingException") => Object.assign(new Error("Rate exceeded"), { name, $metadata: {} });

beforeEach(() => {
  clock = fakeClock(EVENT_TIME + 3_000); // EventBridge → Lambda delivery takes a few seconds
  logSpy = vi.spyOn(console, "log").mockImplementation(() => undefined);
  muteMetricLines();
});

afterEach(() => {
  ecs.reset();
  elb.reset();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe("spot drainer: full drain of a busy instance", () => {
  test("GIVEN two load-balanced services and standalone tasks over 2 pages WHEN the warning arrives THEN it drains, deregisters only this instance's ports, waits for unused, then stops tasks", async () => {
    givenInstance({ health: { [TG_WEB]: ["draining", "draining", "unused"], [TG_ADMIN]: ["draining", "unused"] } });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(ecs).toHaveReceivedCommandWith(ListContainerInstancesCommand, { cluster: CLUSTER, filter: `ec2InstanceId == ${INSTANCE}` });
    expect(ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, {
      cluster: CLUSTER,
      containerInstances: [CI_ARN],
      status: "DRAINING",
    });
    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, { cluster: CLUSTER, containerInstance: CI_ARN, nextToken: "page-2" });
    // 150 tasks → DescribeTasks in chunks of 100 + 50.
    const describeTaskSizes = ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length);
    expect(describeTaskSizes).toEqual([100, 50]);
    expect(ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 1);
    expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: CLUSTER, services: expect.arrayContaining(["web", "admin"]) });

    expect(elb).toHaveReceivedCommandTimes(DeregisterTargetsCommand, 2);
    expect(elb).toHaveReceivedCommandWith(DeregisterTargetsCommand, {
      TargetGroupArn: TG_WEB,
      Targets: [
        { Id: INSTANCE, Port: 32768 },
        { Id: INSTANCE, Port: 32770 },
      ],
    });
    expect(elb).toHaveReceivedCommandWith(DeregisterTargetsCommand, { TargetGroupArn: TG_ADMIN, Targets: [{ Id: INSTANCE, Port: 32769 }] });
    expect(elb).toHaveReceivedCommandWith(DescribeTargetHealthCommand, {
      TargetGroupArn: TG_WEB,
      Targets: [
        { Id: INSTANCE, Port: 32768 },
        { Id: INSTANCE, Port: 32770 },
      ],
    });
    // web needs 3 polls, admin 2: two 5 s sleeps, then done well before the stop point.
    expect(elb).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 5);
    expect(clock.sleeps).toEqual([5_000, 5_000]);

    expect(ecs).toHaveReceivedCommandTimes(StopTaskCommand, 150);
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, {
      cluster: CLUSTER,
      task: taskArn(149),
      reason: `Spot interruption: instance ${INSTANCE} reclaimed`,
    });

    const order = commandsSent();
    expect(order.indexOf("UpdateContainerInstancesStateCommand")).toBeLessThan(order.indexOf("DeregisterTargetsCommand"));
    expect(order.lastIndexOf("DeregisterTargetsCommand")).toBeLessThan(order.indexOf("DescribeTargetHealthCommand"));
    expect(order.lastIndexOf("DescribeTargetHealthCommand")).toBeLessThan(order.indexOf("StopTaskCommand"));

    expect(summary).toMatchObject({
      instanceId: INSTANCE,
      containerInstanceArn: CI_ARN,
      markedDraining: true,
      deregisteredTargets: 3,
      drainedTargets: 3,
      deadline: DEADLINE,
    });
    expect(summary.stoppedTasks).toHaveLength(150);
    expect(summary.skipped).toBeUndefined();
  });

  test("GIVEN TARGET_GROUP_ARNS lists only the web target group WHEN draining THEN the admin target group is left alone", async () => {
    givenInstance({ health: { [TG_WEB]: ["unused"] } });

    await drainForEvent(spotEvent, { ...config, targetGroupArns: [TG_WEB] }, deps());

    expect(elb).toHaveReceivedCommandTimes(DeregisterTargetsCommand, 1);
    expect(elb).toHaveReceivedCommandWith(DeregisterTargetsCommand, { TargetGroupArn: TG_WEB });
    expect(elb).not.toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: TG_ADMIN });
  });

  test("GIVEN the scheduler stopped a service task meanwhile WHEN stopping THEN only tasks still listed are stopped", async () => {
    const tasks = [serviceTask(0, "web", 8080, 32768), standaloneTask(1)];
    givenInstance({ tasks, health: { [TG_WEB]: ["draining", "unused"] } });
    ecs.on(ListTasksCommand).resolvesOnce({ taskArns: [taskArn(0), taskArn(1)] }).resolves({ taskArns: [taskArn(1)] });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(ecs).toHaveReceivedCommandTimes(StopTaskCommand, 1);
    expect(summary.stoppedTasks).toEqual([taskArn(1)]);
  });
});

describe("spot drainer: nothing to do", () => {
  test("GIVEN the instance is not in the cluster WHEN the warning arrives THEN nothing is drained, deregistered or stopped", async () => {
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary.skipped).toBe("not-in-cluster");
    expect(ecs.calls()).toHaveLength(1);
    expect(ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(ecs).not.toHaveReceivedCommand(StopTaskCommand);
    expect(elb).not.toHaveReceivedAnyCommand();
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "info", msg: "instance is not in the cluster", instanceId: INSTANCE }));
  });

  test("GIVEN DescribeContainerInstances reports the instance MISSING WHEN the warning arrives THEN it returns without draining", async () => {
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CI_ARN] });
    ecs.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [], failures: [{ arn: CI_ARN, reason: "MISSING" }] });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary.skipped).toBe("container-instance-missing");
    expect(ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(elb).not.toHaveReceivedAnyCommand();
  });

  test("GIVEN an empty instance WHEN the warning arrives THEN it is set DRAINING and nothing is deregistered or stopped", async () => {
    givenInstance({ tasks: [] });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { status: "DRAINING" });
    expect(ecs).not.toHaveReceivedCommand(DescribeServicesCommand);
    expect(ecs).not.toHaveReceivedCommand(StopTaskCommand);
    expect(elb).not.toHaveReceivedAnyCommand();
    expect(summary).toMatchObject({ markedDraining: true, deregisteredTargets: 0, stoppedTasks: [] });
  });

});

describe("spot drainer: the 2-minute budget at its boundary", () => {
  test.each([
    [109_000, "inside the margin's edge"],
    [111_000, "inside the margin"],
    [119_000, "one second before the reclaim"],
  ])("GIVEN an event %i ms old (%s) WHEN handled THEN the instance is still set DRAINING and taken out of the load balancer without waiting", async (age) => {
    givenInstance({ tasks: [serviceTask(0, "web", 8080, 32768), standaloneTask(1)], health: { [TG_WEB]: ["draining"] } });
    clock.time = EVENT_TIME + age;

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary.skipped).toBeUndefined();
    expect(ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { status: "DRAINING" });
    expect(elb).toHaveReceivedCommandWith(DeregisterTargetsCommand, { TargetGroupArn: TG_WEB, Targets: [{ Id: INSTANCE, Port: 32768 }] });
    expect(ecs).toHaveReceivedCommandTimes(StopTaskCommand, 2);
    // Past the stop point: nothing is waited for.
    expect(clock.sleeps).toEqual([]);
    expect(summary.deadline).toBe(DEADLINE);
  });

  test.each([120_000, 121_000, 600_000])("GIVEN an event %i ms old WHEN handled THEN the instance is gone: stale, no AWS call", async (age) => {
    clock.time = EVENT_TIME + age;

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary.skipped).toBe("stale-event");
    expect(ecs).not.toHaveReceivedAnyCommand();
    expect(elb).not.toHaveReceivedAnyCommand();
  });

  test("GIVEN an event without a parsable time WHEN handled THEN it is stale (no budget can be computed)", async () => {
    const summary = await drainForEvent({ ...spotEvent, time: "yesterday" }, config, deps());

    expect(summary.skipped).toBe("stale-event");
    expect(ecs).not.toHaveReceivedAnyCommand();
  });

  test.each([
    // remaining invocation time, expected deadline
    [200_000, DEADLINE, "the 2-minute warning binds"],
    [60_000, EVENT_TIME + 3_000 + 60_000 - 2_000, "the invocation's remaining time (minus 2 s) binds"],
  ])("GIVEN %i ms left in the invocation WHEN draining THEN the deadline is %i (%s) and StopTask goes out 30 s before it", async (remaining, deadline) => {
    givenInstance({ tasks: [serviceTask(0, "web", 8080, 32768)], health: { [TG_WEB]: ["draining"] } });
    const stopTimes: number[] = [];
    ecs.on(StopTaskCommand).callsFake(() => {
      stopTimes.push(clock.now());
      return {};
    });

    const summary = await drainForEvent(spotEvent, config, { ...deps(), remainingTimeMs: () => remaining });

    expect(summary.deadline).toBe(deadline);
    expect(stopTimes).toEqual([deadline - 30_000]);
    expect(clock.time).toBeLessThanOrEqual(deadline);
  });
});

describe("spot drainer: idempotency", () => {
  test("GIVEN a repeated event (already DRAINING, targets unused, a task already stopped) WHEN handled THEN no state change and no error", async () => {
    givenInstance({ status: "DRAINING", health: { [TG_WEB]: ["unused"], [TG_ADMIN]: ["unused"] } });
    ecs
      .on(StopTaskCommand, { task: taskArn(3) })
      .rejects(Object.assign(new Error("The referenced task is already stopped."), { name: "InvalidParameterException" }));

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(clock.sleeps).toEqual([]);
    expect(summary).toMatchObject({ markedDraining: false, deregisteredTargets: 3, drainedTargets: 3 });
    expect(summary.stoppedTasks).toHaveLength(150);
    expect(logLines().filter((l) => l.level === "error")).toEqual([]);
  });
});

describe("spot drainer: deadlines and failures", () => {
  test.each(["ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "Throttling"])(
    "GIVEN DeregisterTargets fails once with %s WHEN draining THEN it is retried and the drain completes",
    async (errorName) => {
      givenInstance({ health: { [TG_WEB]: ["unused"], [TG_ADMIN]: ["unused"] } });
      elb.on(DeregisterTargetsCommand, { TargetGroupArn: TG_WEB }).rejectsOnce(throttled(errorName)).resolves({});

      const summary = await drainForEvent(spotEvent, config, deps());

      expect(elb).toHaveReceivedCommandTimes(DeregisterTargetsCommand, 3);
      expect(clock.sleeps).toEqual([100]); // first backoff: 200 ms cap × jitter 0.5
      expect(summary).toMatchObject({ deregisteredTargets: 3, drainedTargets: 3 });
      expect(ecs).toHaveReceivedCommandTimes(StopTaskCommand, 150);
    },
  );

  test("GIVEN a target that never drains WHEN waiting THEN StopTask is sent at the stop point and the handler returns before the deadline", async () => {
    givenInstance({
      tasks: [serviceTask(0, "web", 8080, 32768), standaloneTask(1)],
      health: { [TG_WEB]: ["draining"] },
    });
    const stopTimes: number[] = [];
    ecs.on(StopTaskCommand).callsFake(() => {
      stopTimes.push(clock.now());
      return {};
    });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(stopTimes).toEqual([STOP_AT, STOP_AT]);
    expect(clock.time).toBeLessThanOrEqual(DEADLINE);
    // Arrived at +3 s, polls every 5 s, and the last sleep is cut to the 2 s left before the stop point.
    expect(Math.max(...clock.sleeps)).toBe(5_000);
    expect(clock.sleeps.at(-1)).toBe(2_000);
    expect(summary).toMatchObject({ deregisteredTargets: 1, drainedTargets: 0 });
    expect(summary.stoppedTasks).toHaveLength(2);
  });

  test("GIVEN one target group's DeregisterTargets fails permanently WHEN draining THEN the other is still deregistered and tasks are stopped", async () => {
    givenInstance({ health: { [TG_WEB]: ["unused"] } });
    elb
      .on(DeregisterTargetsCommand, { TargetGroupArn: TG_ADMIN })
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDenied" }));

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(elb).toHaveReceivedCommandWith(DeregisterTargetsCommand, { TargetGroupArn: TG_WEB });
    expect(elb).not.toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: TG_ADMIN });
    expect(ecs).toHaveReceivedCommandTimes(StopTaskCommand, 150);
    expect(summary).toMatchObject({ deregisteredTargets: 2, drainedTargets: 2 });
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "error", targetGroupArn: TG_ADMIN, errorName: "AccessDenied" }));
  });

  test("GIVEN ListContainerInstances is throttled throughout WHEN handled THEN it gives up before the stop point and rethrows", async () => {
    ecs.on(ListContainerInstancesCommand).rejects(throttled());

    await expect(drainForEvent(spotEvent, config, deps())).rejects.toThrow("Rate exceeded");

    expect(clock.time).toBeLessThanOrEqual(STOP_AT);
    expect(ecs.commandCalls(ListContainerInstancesCommand).length).toBeGreaterThan(3);
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "error", errorName: "ThrottlingException", deadline: STOP_AT }));
  });
});

describe("spot drainer: API limits and refusals", () => {
  test("GIVEN ListContainerInstances answers over two pages (the match on the second) WHEN draining THEN it follows nextToken and drains that instance", async () => {
    givenInstance({ tasks: [] });
    ecs
      .on(ListContainerInstancesCommand)
      .callsFake((input: { nextToken?: string }) =>
        input.nextToken === "ci-page-2" ? { containerInstanceArns: [CI_ARN] } : { containerInstanceArns: [], nextToken: "ci-page-2" },
      );

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(ecs).toHaveReceivedCommandTimes(ListContainerInstancesCommand, 2);
    expect(ecs).toHaveReceivedNthCommandWith(ListContainerInstancesCommand, 2, { cluster: CLUSTER, nextToken: "ci-page-2" });
    expect(summary).toMatchObject({ containerInstanceArn: CI_ARN, markedDraining: true });
  });

  test("GIVEN tasks of 23 services on the instance WHEN mapping them to target groups THEN DescribeServices is called in batches of at most 10 and every service's target is deregistered", async () => {
    const names = Array.from({ length: 23 }, (_, n) => `svc-${n}`);
    const tg = (n: number) => `arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/svc-${n}/${n.toString(16).padStart(16, "0")}`;
    const tasks = names.map((name, n): Task => ({
      taskArn: taskArn(n),
      group: `service:${name}`,
      lastStatus: "RUNNING",
      containers: [{ name, networkBindings: [{ containerPort: 8080, hostPort: 33000 + n, protocol: "tcp" }] }],
    }));
    givenInstance({ tasks });
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => {
      // The real API refuses more than 10 names per call.
      if (input.services.length > 10) throw new InvalidParameterException({ message: "services cannot exceed 10", $metadata: {} });
      return {
        services: input.services.map((name) => {
          const n = Number(name.slice(4));
          return { serviceName: name, loadBalancers: [{ targetGroupArn: tg(n), containerName: name, containerPort: 8080 }] };
        }),
        failures: [],
      };
    });
    elb.on(DescribeTargetHealthCommand).callsFake((input: { Targets: TargetDescription[] }) => ({
      TargetHealthDescriptions: input.Targets.map((Target) => ({ Target, TargetHealth: { State: "unused" } })),
    }));

    const summary = await drainForEvent(spotEvent, config, deps());

    const batches = ecs.commandCalls(DescribeServicesCommand).map((call) => call.args[0].input.services?.length);
    expect(batches).toEqual([10, 10, 3]);
    expect(new Set(ecs.commandCalls(DescribeServicesCommand).flatMap((call) => call.args[0].input.services))).toEqual(new Set(names));
    expect(elb).toHaveReceivedCommandTimes(DeregisterTargetsCommand, 23);
    expect(elb).toHaveReceivedCommandWith(DeregisterTargetsCommand, { TargetGroupArn: tg(22), Targets: [{ Id: INSTANCE, Port: 33022 }] });
    expect(summary).toMatchObject({ deregisteredTargets: 23, drainedTargets: 23 });
  });

  test.each([
    ["InvalidParameterException", () => new InvalidParameterException({ message: "Container instance status cannot be changed", $metadata: {} })],
    ["ClientException", () => new ClientException({ message: "The container instance is not in a state to be drained", $metadata: {} })],
    ["AccessDeniedException", () => new AccessDeniedException({ message: "not authorized to perform ecs:UpdateContainerInstancesState", $metadata: {} })],
  ])("GIVEN UpdateContainerInstancesState refuses DRAINING with %s WHEN draining THEN the refusal is logged and targets are still deregistered and tasks stopped", async (name, error) => {
    givenInstance({ tasks: [serviceTask(0, "web", 8080, 32768), standaloneTask(1)], health: { [TG_WEB]: ["unused"] } });
    ecs.on(UpdateContainerInstancesStateCommand).rejects(error());

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(ecs).toHaveReceivedCommandTimes(UpdateContainerInstancesStateCommand, 1);
    expect(elb).toHaveReceivedCommandWith(DeregisterTargetsCommand, { TargetGroupArn: TG_WEB, Targets: [{ Id: INSTANCE, Port: 32768 }] });
    expect(ecs).toHaveReceivedCommandTimes(StopTaskCommand, 2);
    expect(summary).toMatchObject({ markedDraining: false, deregisteredTargets: 1, drainedTargets: 1 });
    expect(logLines()).toContainEqual(
      expect.objectContaining({ level: "error", msg: "could not set DRAINING, continuing", failures: [expect.objectContaining({ reason: name })] }),
    );
  });

  test("GIVEN UpdateContainerInstancesState reports the transition refused in failures[] WHEN draining THEN it goes on undrained", async () => {
    givenInstance({ tasks: [serviceTask(0, "web", 8080, 32768)], health: { [TG_WEB]: ["unused"] } });
    ecs.on(UpdateContainerInstancesStateCommand).resolves({ containerInstances: [], failures: [{ arn: CI_ARN, reason: "INACTIVE" }] });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary).toMatchObject({ markedDraining: false, deregisteredTargets: 1, stoppedTasks: [taskArn(0)] });
  });

  test("GIVEN the container instance disappears between lookup and DRAINING (failures[] MISSING) WHEN draining THEN it stops without deregistering", async () => {
    givenInstance();
    ecs.on(UpdateContainerInstancesStateCommand).resolves({ containerInstances: [], failures: [{ arn: CI_ARN, reason: "MISSING" }] });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary).toMatchObject({ skipped: "container-instance-missing", markedDraining: false, containerInstanceArn: CI_ARN });
    expect(ecs).not.toHaveReceivedCommand(ListTasksCommand);
    expect(elb).not.toHaveReceivedAnyCommand();
  });

  test.each(["INACTIVE", "DEREGISTERING"])("GIVEN the container instance is %s WHEN the warning arrives THEN nothing is drained", async (status) => {
    givenInstance({ status });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary.skipped).toBe("container-instance-inactive");
    expect(ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(ecs).not.toHaveReceivedCommand(StopTaskCommand);
  });

  test("GIVEN an unexpected container instance status WHEN the warning arrives THEN it drains anyway without a state change", async () => {
    givenInstance({ status: "REGISTERING", tasks: [standaloneTask(0)] });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(summary).toMatchObject({ markedDraining: false, stoppedTasks: [taskArn(0)] });
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "warn", status: "REGISTERING" }));
  });

  test("GIVEN DescribeServices keeps failing with ServerException WHEN draining THEN nothing is deregistered but every task is still stopped", async () => {
    givenInstance({ tasks: [serviceTask(0, "web", 8080, 32768), standaloneTask(1)] });
    ecs.on(DescribeServicesCommand).rejects(new ServerException({ message: "internal error", $metadata: {} }));

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(elb).not.toHaveReceivedAnyCommand();
    expect(summary).toMatchObject({ deregisteredTargets: 0, stoppedTasks: [taskArn(0), taskArn(1)] });
  });

  test("GIVEN two container instances for one EC2 instance WHEN draining THEN the first is drained and the extra is logged", async () => {
    givenInstance({ tasks: [] });
    const extra = `${CI_ARN.slice(0, -1)}1`;
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CI_ARN, extra] });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary.containerInstanceArn).toBe(CI_ARN);
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "warn", extra: [extra] }));
  });
});

describe("spot drainer: what it refuses and what it reports", () => {
  const logged = (msg: string) => logLines().filter((line) => line.msg === msg);

  test.each([
    ["a Spot warning from another source", { ...spotEvent, source: "aws.health" }, "unsupported-event"],
    ["a warning without detail.instance-id", { ...spotEvent, detail: { "instance-action": "terminate" } }, "missing-instance-id"],
    ["a warning without detail", { ...spotEvent, detail: undefined as unknown as typeof spotEvent.detail }, "missing-instance-id"],
  ])("GIVEN %s WHEN handled THEN it is skipped (%s) without any AWS call", async (_label, event, skipped) => {
    const summary = await drainForEvent(event, config, deps());

    expect(summary).toEqual({ instanceId: (event.detail as Record<string, string> | undefined)?.["instance-id"], markedDraining: false, deregisteredTargets: 0, drainedTargets: 0, targetsStillInUse: 0, stoppedTasks: [], skipped });
    expect(ecs).not.toHaveReceivedAnyCommand();
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "info", skipped }));
  });

  test.each([
    [109_999, false],
    [110_000, true],
    [110_001, true],
  ])("GIVEN an event %i ms old WHEN handled THEN the late-drain warning is logged: %s", async (age, late) => {
    givenInstance({ tasks: [] });
    clock.time = EVENT_TIME + age;

    await drainForEvent(spotEvent, config, deps());

    expect(logged("event arrived inside the deadline margin, draining without waiting")).toEqual(
      late ? [expect.objectContaining({ level: "warn", eventTime: spotEvent.time, deadline: DEADLINE, instanceId: INSTANCE })] : [],
    );
  });

  test("GIVEN a normal drain WHEN it runs THEN its steps are logged with their facts, and no warning", async () => {
    givenInstance({ tasks: [serviceTask(0, "web", 8080, 32768), standaloneTask(1)], health: { [TG_WEB]: ["unused"] } });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(logged("set container instance to DRAINING")).toEqual([expect.objectContaining({ level: "info", containerInstanceArn: CI_ARN })]);
    expect(logged("listed tasks")).toEqual([expect.objectContaining({ taskCount: 2, containerInstanceArn: CI_ARN })]);
    expect(logged("drain finished")).toEqual([expect.objectContaining({ ...summary, detailType: spotEvent["detail-type"], eventId: spotEvent.id })]);
    expect(logLines().filter((line) => line.level === "warn" || line.level === "error")).toEqual([]);
  });

  test.each([
    ["DRAINING", "container instance already DRAINING, skipping state change"],
  ])("GIVEN the instance is %s WHEN draining THEN it says so", async (status, msg) => {
    givenInstance({ status, tasks: [] });
    await drainForEvent(spotEvent, config, deps());
    expect(logged(msg)).toHaveLength(1);
  });

  test.each([
    ["not in the cluster", () => ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] }), "instance is not in the cluster", { cluster: CLUSTER }],
    [
      "MISSING at lookup",
      () => {
        ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CI_ARN] });
        ecs.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [], failures: [{ arn: CI_ARN, reason: "MISSING" }] });
      },
      "container instance is gone",
      { failures: [{ arn: CI_ARN, reason: "MISSING" }] },
    ],
    [
      "MISSING when set DRAINING",
      () => {
        givenInstance();
        ecs.on(UpdateContainerInstancesStateCommand).resolves({ failures: [{ arn: CI_ARN, reason: "MISSING" }] });
      },
      "container instance is gone",
      { failures: [{ arn: CI_ARN, reason: "MISSING" }] },
    ],
    ["INACTIVE", () => givenInstance({ status: "INACTIVE" }), "container instance is being deregistered", { status: "INACTIVE" }],
  ])("GIVEN an instance %s WHEN the warning arrives THEN the skip is logged with why", async (_label, given, msg, fields) => {
    given();
    await drainForEvent(spotEvent, config, deps());
    expect(logged(msg)).toEqual([expect.objectContaining({ level: "info", ...fields })]);
  });

  test("GIVEN only standalone tasks WHEN draining THEN no service is described and they are still stopped", async () => {
    givenInstance({ tasks: [standaloneTask(0), standaloneTask(1)] });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(ecs).not.toHaveReceivedCommand(DescribeServicesCommand);
    expect(summary.stoppedTasks).toEqual([taskArn(0), taskArn(1)]);
  });

  test("GIVEN DescribeServices reports a service MISSING WHEN draining THEN it is logged and the other service's targets are still deregistered", async () => {
    givenInstance({ tasks: [serviceTask(0, "web", 8080, 32768), serviceTask(1, "admin", 3000, 32769)], health: { [TG_WEB]: ["unused"] } });
    ecs.on(DescribeServicesCommand).resolves({ services: [SERVICES[0]], failures: [{ arn: "admin", reason: "MISSING" }] });

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary.deregisteredTargets).toBe(1);
    expect(logged("some services could not be described")).toEqual([expect.objectContaining({ level: "warn", failures: [{ arn: "admin", reason: "MISSING" }] })]);
  });

  test("GIVEN DescribeServices is denied WHEN draining THEN the error is logged, nothing is deregistered and the tasks are stopped", async () => {
    givenInstance({ tasks: [serviceTask(0, "web", 8080, 32768)] });
    ecs.on(DescribeServicesCommand).rejects(new AccessDeniedException({ message: "not authorized to perform ecs:DescribeServices", $metadata: {} }));

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary).toMatchObject({ deregisteredTargets: 0, stoppedTasks: [taskArn(0)] });
    expect(logged("could not map services to target groups, skipping deregistration")).toEqual([
      expect.objectContaining({ level: "error", errorName: "AccessDeniedException" }),
    ]);
  });

  test("GIVEN the second ListTasks fails WHEN stopping THEN the tasks listed first are stopped", async () => {
    givenInstance({ tasks: [standaloneTask(0), standaloneTask(1)] });
    ecs
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: [taskArn(0), taskArn(1)] })
      .rejects(new AccessDeniedException({ message: "denied", $metadata: {} }));

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary.stoppedTasks).toEqual([taskArn(0), taskArn(1)]);
    expect(logged("could not re-list tasks, stopping the ones listed earlier")).toEqual([expect.objectContaining({ level: "error", errorName: "AccessDeniedException" })]);
  });

  test.each([
    ["AccessDeniedException", new AccessDeniedException({ message: "not authorized to perform ecs:StopTask", $metadata: {} })],
    ["an InvalidParameterException about something else", new InvalidParameterException({ message: "Invalid cluster name", $metadata: {} })],
  ])("GIVEN StopTask fails with %s for one task WHEN stopping THEN the others are stopped and that one is reported, not counted", async (_label, error) => {
    givenInstance({ tasks: [standaloneTask(0), standaloneTask(1)] });
    ecs.on(StopTaskCommand, { task: taskArn(0) }).rejects(error);

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary.stoppedTasks).toEqual([taskArn(1)]);
    expect(logged("stop task failed")).toEqual([expect.objectContaining({ level: "error", task: taskArn(0) })]);
  });

  test("GIVEN StopTask says the task is already stopped WHEN stopping THEN it counts as stopped and is logged as such", async () => {
    givenInstance({ tasks: [standaloneTask(0)] });
    ecs.on(StopTaskCommand).rejects(new InvalidParameterException({ message: "The referenced task is already stopped.", $metadata: {} }));

    const summary = await drainForEvent(spotEvent, config, deps());

    expect(summary.stoppedTasks).toEqual([taskArn(0)]);
    expect(logged("task already stopped")).toEqual([expect.objectContaining({ level: "info", task: taskArn(0) })]);
  });

  test("GIVEN throttling once WHEN draining THEN the retry is logged with its attempt, delay and error", async () => {
    givenInstance({ tasks: [] });
    ecs.on(ListContainerInstancesCommand).rejectsOnce(throttled()).resolves({ containerInstanceArns: [CI_ARN] });

    await drainForEvent(spotEvent, config, deps());

    expect(logged("retrying after transient error")).toEqual([
      expect.objectContaining({ level: "warn", attempt: 1, delayMs: 100, errorName: "ThrottlingException", instanceId: INSTANCE }),
    ]);
  });

  test("GIVEN throttling throughout WHEN giving up THEN the reason is logged", async () => {
    ecs.on(ListContainerInstancesCommand).rejects(throttled());

    await expect(drainForEvent(spotEvent, config, deps())).rejects.toThrow("Rate exceeded");

    expect(logged("giving up retries, the next attempt would pass the deadline")).toEqual([expect.objectContaining({ level: "error", deadline: STOP_AT })]);
  });

  test("GIVEN a single container instance WHEN draining THEN no 'several container instances' warning", async () => {
    givenInstance({ tasks: [] });
    await drainForEvent(spotEvent, config, deps());
    expect(logged("several container instances for one EC2 instance, using the first")).toEqual([]);
  });
});

describe("withRetry", () => {
  const retryable = [
    ["name ThrottlingException", throttled()],
    ["HTTP 503", Object.assign(new Error("unavailable"), { name: "Unknown", $metadata: { httpStatusCode: 503 } })],
    ["$retryable", Object.assign(new Error("socket"), { name: "Unknown", $retryable: {} })],
  ] as const;

  test.each(retryable)("GIVEN %s once WHEN called THEN it retries and returns", async (_label, error) => {
    const fn = vi.fn<() => Promise<string>>().mockRejectedValueOnce(error).mockResolvedValue("ok");

    await expect(withRetry(fn, { deadline: clock.time + 10_000, now: clock.now, sleep: clock.sleep, random: () => 1 })).resolves.toBe("ok");
    expect(fn).toHaveBeenCalledTimes(2);
  });

  test("GIVEN a non-retryable error WHEN called THEN it is thrown without retry", async () => {
    const fn = vi.fn<() => Promise<string>>().mockRejectedValue(Object.assign(new Error("bad"), { name: "ValidationError" }));

    await expect(withRetry(fn, { deadline: clock.time + 10_000, now: clock.now, sleep: clock.sleep })).rejects.toThrow("bad");
    expect(fn).toHaveBeenCalledTimes(1);
  });

  test("GIVEN throttling that never ends WHEN called THEN backoff grows and it gives up without sleeping past the deadline", async () => {
    const deadline = clock.time + 10_000;
    const fn = vi.fn<() => Promise<string>>().mockRejectedValue(throttled());

    await expect(withRetry(fn, { deadline, now: clock.now, sleep: clock.sleep, random: () => 1 })).rejects.toThrow("Rate exceeded");
    expect(clock.sleeps.slice(0, 5)).toEqual([200, 400, 800, 1_600, 3_200]);
    expect(clock.time).toBeLessThan(deadline);
  });
});

describe("handler (environment and event routing)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: EVENT_TIME + 3_000 });
    vi.stubEnv("CLUSTER_NAME", CLUSTER);
  });

  test("GIVEN CLUSTER_NAME is not set WHEN invoked THEN it fails naming the variable", async () => {
    vi.stubEnv("CLUSTER_NAME", "");

    await expect(handler(spotEvent)).rejects.toThrow("CLUSTER_NAME");
    expect(ecs).not.toHaveReceivedAnyCommand();
  });

  test("GIVEN a stale event WHEN invoked THEN it returns without AWS calls", async () => {
    vi.setSystemTime(EVENT_TIME + 130_000);

    await expect(handler(spotEvent)).resolves.toMatchObject({ skipped: "stale-event" });
    expect(ecs).not.toHaveReceivedAnyCommand();
  });

  test.each([
    ["a rebalance recommendation with DRAIN_ON_REBALANCE unset", rebalanceEvent, undefined, "rebalance-disabled"],
    ["a rebalance recommendation with DRAIN_ON_REBALANCE=false", rebalanceEvent, "false", "rebalance-disabled"],
    ["an instance state-change notification", stateChangeEvent, "true", "unsupported-event"],
  ])("GIVEN %s WHEN invoked THEN it is logged and ignored", async (_label, event, drainOnRebalance, skipped) => {
    if (drainOnRebalance !== undefined) vi.stubEnv("DRAIN_ON_REBALANCE", drainOnRebalance);

    await expect(handler(event)).resolves.toMatchObject({ skipped });
    expect(ecs).not.toHaveReceivedAnyCommand();
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "info", skipped, eventId: event.id, instanceId: INSTANCE }));
  });

  test("GIVEN a drain that fails WHEN invoked THEN the handler logs it with the event and instance, and rethrows", async () => {
    ecs.on(ListContainerInstancesCommand).rejects(new AccessDeniedException({ message: "denied", $metadata: {} }));

    await expect(handler(spotEvent)).rejects.toThrow("denied");

    expect(logLines()).toContainEqual({ level: "error", msg: "drain failed", eventId: spotEvent.id, instanceId: INSTANCE, errorName: "AccessDeniedException", errorMessage: "denied" });
  });

  test("GIVEN an event without detail WHEN invoked THEN it is skipped, not a TypeError", async () => {
    await expect(handler({ ...spotEvent, detail: undefined as unknown as typeof spotEvent.detail })).resolves.toMatchObject({ skipped: "missing-instance-id" });
  });

  test("GIVEN targets that drain over 10 s WHEN the real handler polls THEN it waits on real timers between polls", async () => {
    givenInstance({ tasks: [serviceTask(0, "web", 8080, 32768)], health: { [TG_WEB]: ["draining", "draining", "unused"] } });

    const pending = handler(spotEvent);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(elb).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 1);
    await vi.advanceTimersByTimeAsync(10_001);
    const summary = await pending;

    expect(elb).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 3);
    expect(summary).toMatchObject({ drainedTargets: 1, stoppedTasks: [taskArn(0)] });
  });

  test("GIVEN the Lambda context WHEN a warning is handled THEN the invocation's remaining time bounds the deadline", async () => {
    givenInstance({ tasks: [] });

    const summary = await handler(spotEvent, { getRemainingTimeInMillis: () => 30_000 });

    // Invoked at event time + 3 s with 30 s left: deadline = +3 s + 30 s − 2 s, earlier than event time + 110 s.
    expect(summary.deadline).toBe(EVENT_TIME + 31_000);
  });

  test("GIVEN DRAIN_ON_REBALANCE=true WHEN a rebalance recommendation arrives THEN the instance is drained", async () => {
    vi.stubEnv("DRAIN_ON_REBALANCE", "true");
    givenInstance({ tasks: [] });

    const summary = await handler(rebalanceEvent);

    expect(ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { cluster: CLUSTER, status: "DRAINING" });
    expect(summary).toMatchObject({ instanceId: INSTANCE, markedDraining: true });
  });

  test("GIVEN any invocation WHEN it logs THEN every line is one JSON object with level, msg, eventId and instanceId", async () => {
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });

    await handler(spotEvent);

    expect(logSpy).toHaveBeenCalled();
    for (const line of logLines()) {
      expect(line).toMatchObject({ level: expect.any(String), msg: expect.any(String), eventId: spotEvent.id, instanceId: INSTANCE });
    }
  });
});

describe("readConfig", () => {
  test("GIVEN only CLUSTER_NAME WHEN read THEN the documented defaults apply", () => {
    expect(readConfig({ CLUSTER_NAME: CLUSTER })).toEqual(config);
  });

  test("GIVEN all variables WHEN read THEN they are parsed", () => {
    expect(
      readConfig({
        CLUSTER_NAME: CLUSTER,
        DEADLINE_MARGIN_SECONDS: "15",
        TARGET_GROUP_ARNS: ` ${TG_WEB}, ${TG_ADMIN} ,`,
        DRAIN_ON_REBALANCE: "TRUE",
        POLL_INTERVAL_SECONDS: "2",
        STOP_TIMEOUT_SECONDS: "20",
      }),
    ).toEqual({
      clusterName: CLUSTER,
      deadlineMarginSeconds: 15,
      targetGroupArns: [TG_WEB, TG_ADMIN],
      drainOnRebalance: true,
      pollIntervalSeconds: 2,
      stopTimeoutSeconds: 20,
    });
  });

  test.each([
    [{}, "CLUSTER_NAME"],
    [{ CLUSTER_NAME: CLUSTER, DEADLINE_MARGIN_SECONDS: "ten" }, "DEADLINE_MARGIN_SECONDS"],
    [{ CLUSTER_NAME: CLUSTER, POLL_INTERVAL_SECONDS: "0" }, "POLL_INTERVAL_SECONDS"],
    [{ CLUSTER_NAME: CLUSTER, DRAIN_ON_REBALANCE: "yes" }, "DRAIN_ON_REBALANCE"],
  ])("GIVEN %o WHEN read THEN the error names %s", (env, name) => {
    expect(() => readConfig(env)).toThrow(name);
  });
});
