import { MockInstance, afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { muteMetricLines } from "../support/emf";
import { mockClient } from "aws-sdk-client-mock";
import { AutoScalingClient, CompleteLifecycleActionCommand } from "@aws-sdk/client-auto-scaling";
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
  StopTaskCommand,
  Task,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import { DeregisterTargetsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { handler } from "../../lambdas/spot-drainer/handler";
import { LifecycleDeps, drainForLifecycleAction, isLifecycleAction } from "../../lambdas/spot-drainer/lifecycle";
import { DrainerConfig, LifecycleConfig, readLifecycleConfig } from "../../lambdas/spot-drainer/config";
import lifecycleEvent from "./fixtures/lifecycle-action.json";
import { callOrder, drainerConfig, fakeClock, jsonLogLines, taskArnIn } from "./support/drainer";

const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const autoscaling = mockClient(AutoScalingClient);

const INSTANCE = lifecycleEvent.detail.EC2InstanceId;
const HOOK = lifecycleEvent.detail.LifecycleHookName;
const GROUP = lifecycleEvent.detail.AutoScalingGroupName;
const TOKEN = lifecycleEvent.detail.LifecycleActionToken;
const CLUSTER = "acme-api-staging";
const CI_ARN = "arn:aws:ecs:us-east-2:123456789012:container-instance/acme-api-staging/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const TG_WEB = "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/web/0123456789abcdef";
const EVENT_TIME = Date.parse(lifecycleEvent.time);
// 600 s heartbeat − 10 s margin; tasks get 30 s (stop timeout) before that.
const DEADLINE = EVENT_TIME + 590_000;
const STOP_AT = DEADLINE - 30_000;

const config: DrainerConfig = drainerConfig(CLUSTER);
const lifecycle: LifecycleConfig = { hookNames: ["other-hook", HOOK], heartbeatSeconds: 600 };

const taskArn = taskArnIn(CLUSTER);
const WEB_TASK: Task = {
  taskArn: taskArn(0),
  group: "service:web",
  lastStatus: "RUNNING",
  containers: [{ name: "web", networkBindings: [{ containerPort: 8080, hostPort: 32768, protocol: "tcp" }] }],
};
const REPORT_TASK: Task = { taskArn: taskArn(1), group: "family:report", lastStatus: "RUNNING", containers: [{ name: "report" }] };

/** A daemon service's task (e.g. a metrics agent): the scheduler never moves it off a DRAINING instance. */
const AGENT_TASK: Task = { taskArn: taskArn(2), group: "service:agent", lastStatus: "RUNNING", containers: [{ name: "agent" }] };
/** The service scheduler replaces a replica task this long after the instance is set DRAINING. */
const MOVE_AFTER_MS = 15_000;

/**
 * An instance with a web service task and a standalone task. The scheduler moves the web task away
 * MOVE_AFTER_MS after the instance is DRAINING; daemon and standalone tasks stay until stopped.
 * DescribeContainerInstances reports runningTasksCount as ECS does: every task on the instance, daemons included.
 */
function givenInstance({ status = "ACTIVE", tasks = [WEB_TASK, REPORT_TASK] }: { status?: string; tasks?: Task[] } = {}): { stopTimes: number[] } {
  const stopped = new Set<string>();
  const stopTimes: number[] = [];
  let drainingSince = status === "DRAINING" ? -Infinity : undefined;
  const moved = (t: Task) =>
    t.group === "service:web" && drainingSince !== undefined && clock.now() >= drainingSince + MOVE_AFTER_MS;
  const isStopped = (t: Task) => stopped.has(t.taskArn as string) || moved(t);
  const onInstance = () => tasks.filter((t) => !isStopped(t));
  ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CI_ARN] });
  ecs.on(DescribeContainerInstancesCommand).callsFake(() => ({
    containerInstances: [
      {
        containerInstanceArn: CI_ARN,
        status: drainingSince !== undefined ? "DRAINING" : status,
        runningTasksCount: onInstance().length,
        pendingTasksCount: 0,
      },
    ],
  }));
  ecs.on(UpdateContainerInstancesStateCommand).callsFake(() => {
    drainingSince = clock.now();
    return { failures: [] };
  });
  ecs.on(ListTasksCommand).callsFake(() => ({ taskArns: onInstance().map((t) => t.taskArn) }));
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: tasks
      .filter((t) => input.tasks.includes(t.taskArn as string))
      .map((t) => ({ ...t, lastStatus: isStopped(t) ? "STOPPED" : t.lastStatus })),
  }));
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      { serviceName: "web", schedulingStrategy: "REPLICA", loadBalancers: [{ targetGroupArn: TG_WEB, containerName: "web", containerPort: 8080 }] },
      { serviceName: "agent", schedulingStrategy: "DAEMON", loadBalancers: [] },
    ],
  });
  ecs.on(StopTaskCommand).callsFake((input: { task: string }) => {
    stopped.add(input.task);
    stopTimes.push(clock.now());
    return {};
  });
  elb.on(DeregisterTargetsCommand).resolves({});
  elb.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [{ Target: { Id: INSTANCE, Port: 32768 }, TargetHealth: { State: "unused", Reason: "Target.NotRegistered" } }],
  });
  autoscaling.on(CompleteLifecycleActionCommand).resolves({});
  return { stopTimes };
}

let clock: ReturnType<typeof fakeClock>;
let logSpy: MockInstance<typeof console.log>;

function deps(extra: Partial<LifecycleDeps> = {}): LifecycleDeps {
  return {
    ecs: new ECSClient({ region: "us-east-2" }),
    elb: new ElasticLoadBalancingV2Client({ region: "us-east-2" }),
    autoscaling: new AutoScalingClient({ region: "us-east-2" }),
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    ...extra,
  };
}

const logLines = (): Record<string, unknown>[] => jsonLogLines(logSpy);

const commandsSent = (): string[] => callOrder(ecs, elb, autoscaling);

const completion = {
  AutoScalingGroupName: GROUP,
  LifecycleHookName: HOOK,
  LifecycleActionToken: TOKEN,
  InstanceId: INSTANCE,
  LifecycleActionResult: "CONTINUE",
};

beforeEach(() => {
  clock = fakeClock(EVENT_TIME + 2_000);
  logSpy = vi.spyOn(console, "log").mockImplementation(() => undefined);
  muteMetricLines();
});

afterEach(() => {
  ecs.reset();
  elb.reset();
  autoscaling.reset();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe("lifecycle drain: full drain", () => {
  test("GIVEN our hook holds a busy instance WHEN the lifecycle action arrives THEN it drains, deregisters, waits for the service task to move, stops the standalone task at the stop point, then completes with the event's token", async () => {
    givenInstance();
    const stopTimes: number[] = [];
    ecs.on(StopTaskCommand).callsFake(() => {
      stopTimes.push(clock.now());
      return {};
    });

    const summary = await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    expect(ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { cluster: CLUSTER, containerInstances: [CI_ARN], status: "DRAINING" });
    expect(elb).toHaveReceivedCommandWith(DeregisterTargetsCommand, { TargetGroupArn: TG_WEB, Targets: [{ Id: INSTANCE, Port: 32768 }] });
    // Only the standalone task is left for StopTask: the scheduler moved the service task itself.
    expect(ecs).toHaveReceivedCommandTimes(StopTaskCommand, 1);
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: CLUSTER, task: REPORT_TASK.taskArn });
    expect(stopTimes).toEqual([STOP_AT]);
    expect(autoscaling).toHaveReceivedCommandTimes(CompleteLifecycleActionCommand, 1);
    expect(autoscaling).toHaveReceivedCommandWith(CompleteLifecycleActionCommand, completion);
    const order = commandsSent();
    expect(order.indexOf("UpdateContainerInstancesStateCommand")).toBeLessThan(order.indexOf("DeregisterTargetsCommand"));
    expect(order.indexOf("DeregisterTargetsCommand")).toBeLessThan(order.indexOf("StopTaskCommand"));
    expect(order.at(-1)).toBe("CompleteLifecycleActionCommand");
    expect(clock.time).toBeLessThanOrEqual(DEADLINE);
    expect(summary).toMatchObject({
      instanceId: INSTANCE,
      hookName: HOOK,
      markedDraining: true,
      deregisteredTargets: 1,
      drainedTargets: 1,
      stoppedTasks: [REPORT_TASK.taskArn],
      deadline: DEADLINE,
      lifecycleAction: "completed",
    });
    expect(logLines().filter((l) => l.level === "error")).toEqual([]);
  });

  test("GIVEN a daemon task (counted in runningTasksCount, never moved by the scheduler) WHEN draining THEN it is stopped once the replicas left, not at the stop point", async () => {
    const { stopTimes } = givenInstance({ tasks: [WEB_TASK, AGENT_TASK] });

    const summary = await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    expect(ecs).toHaveReceivedCommandTimes(StopTaskCommand, 1);
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: CLUSTER, task: AGENT_TASK.taskArn });
    // DRAINING at +2 s, the web task replaced 15 s later; polled every 5 s: the daemon is stopped at +17 s, not at +560 s.
    expect(stopTimes).toEqual([EVENT_TIME + 2_000 + MOVE_AFTER_MS]);
    expect(summary).toMatchObject({ stoppedTasks: [AGENT_TASK.taskArn], lifecycleAction: "completed" });
    expect(clock.time).toBeLessThan(EVENT_TIME + 60_000);
  });

  test("GIVEN every task leaves before the stop point WHEN draining THEN nothing is stopped and the action completes right away", async () => {
    givenInstance({ tasks: [WEB_TASK] });

    const summary = await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    expect(ecs).not.toHaveReceivedCommand(StopTaskCommand);
    expect(autoscaling).toHaveReceivedCommandWith(CompleteLifecycleActionCommand, completion);
    expect(clock.time).toBeLessThan(EVENT_TIME + 60_000);
    expect(summary).toMatchObject({ stoppedTasks: [], lifecycleAction: "completed" });
  });
});

describe("lifecycle drain: not ours, gone, repeated", () => {
  test.each(["ecs-managed-draining-termination-hook", "someone-elses-hook"])(
    "GIVEN a lifecycle action of hook %s WHEN it arrives THEN it is logged and ignored without any call",
    async (hookName) => {
      const event = { ...lifecycleEvent, detail: { ...lifecycleEvent.detail, LifecycleHookName: hookName } };

      const summary = await drainForLifecycleAction(event, config, lifecycle, deps());

      expect(summary).toMatchObject({ skipped: "not-our-hook", hookName });
      expect(ecs).not.toHaveReceivedAnyCommand();
      expect(autoscaling).not.toHaveReceivedAnyCommand();
      expect(logLines()).toContainEqual(expect.objectContaining({ level: "info", skipped: "not-our-hook", hookName }));
    },
  );

  test("GIVEN the instance is not in the cluster WHEN the action arrives THEN nothing is drained but the action is still completed", async () => {
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    autoscaling.on(CompleteLifecycleActionCommand).resolves({});

    const summary = await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    expect(ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(autoscaling).toHaveReceivedCommandWith(CompleteLifecycleActionCommand, completion);
    expect(summary).toMatchObject({ skipped: "not-in-cluster", lifecycleAction: "completed" });
  });

  test("GIVEN a repeated event (already DRAINING, empty, action already completed) WHEN handled THEN the ValidationError is logged and nothing fails", async () => {
    givenInstance({ status: "DRAINING", tasks: [] });
    autoscaling
      .on(CompleteLifecycleActionCommand)
      .rejects(Object.assign(new Error("No active Lifecycle Action found with token"), { name: "ValidationError" }));

    const summary = await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    expect(ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(autoscaling).toHaveReceivedCommandTimes(CompleteLifecycleActionCommand, 1);
    expect(summary).toMatchObject({ markedDraining: false, lifecycleAction: "already-completed" });
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "info", msg: "lifecycle action already completed or timed out" }));
    expect(logLines().filter((l) => l.level === "error")).toEqual([]);
  });

  test("GIVEN a lifecycle action older than the heartbeat WHEN it arrives THEN it does not drain but still tries to complete", async () => {
    clock.time = EVENT_TIME + 700_000;
    autoscaling.on(CompleteLifecycleActionCommand).resolves({});

    const summary = await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    expect(ecs).not.toHaveReceivedAnyCommand();
    expect(autoscaling).toHaveReceivedCommandWith(CompleteLifecycleActionCommand, completion);
    expect(summary).toMatchObject({ skipped: "stale-event", lifecycleAction: "completed" });
  });
});

describe("lifecycle drain: deadlines and failures", () => {
  test("GIVEN a Lambda with 120 s left and a task that never leaves WHEN draining THEN StopTask is sent 30 s before the deadline and the action completes before the function times out", async () => {
    givenInstance({ tasks: [REPORT_TASK] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [REPORT_TASK] }); // never reports STOPPED
    const invocationEnd = clock.time + 120_000;
    const deadline = invocationEnd - 10_000;
    const stopTimes: number[] = [];
    ecs.on(StopTaskCommand).callsFake(() => {
      stopTimes.push(clock.now());
      return {};
    });
    let completedAt = 0;
    autoscaling.on(CompleteLifecycleActionCommand).callsFake(() => {
      completedAt = clock.now();
      return {};
    });

    const summary = await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps({ remainingTimeMs: () => invocationEnd - clock.now() }));

    expect(stopTimes).toEqual([deadline - 30_000]);
    expect(completedAt).toBe(deadline);
    expect(completedAt).toBeLessThan(invocationEnd);
    expect(summary).toMatchObject({ deadline, stoppedTasks: [REPORT_TASK.taskArn], lifecycleAction: "completed" });
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "warn", msg: "tasks still stopping at the deadline, completing anyway" }));
  });

  test("GIVEN the drain fails WHEN handled THEN the action is still completed and the error is rethrown", async () => {
    ecs.on(ListContainerInstancesCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    autoscaling.on(CompleteLifecycleActionCommand).resolves({});

    await expect(drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps())).rejects.toThrow("not authorized");

    expect(autoscaling).toHaveReceivedCommandWith(CompleteLifecycleActionCommand, completion);
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "error", msg: "drain failed, completing the lifecycle action anyway" }));
  });

  test("GIVEN CompleteLifecycleAction is denied WHEN completing THEN the error is logged and rethrown", async () => {
    givenInstance({ tasks: [] });
    autoscaling.on(CompleteLifecycleActionCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDenied" }));

    await expect(drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps())).rejects.toThrow("denied");
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "error", errorName: "AccessDenied" }));
  });
});

describe("handler routing of lifecycle actions", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: EVENT_TIME + 2_000 });
    vi.stubEnv("CLUSTER_NAME", CLUSTER);
  });

  test("GIVEN LIFECYCLE_HOOK_NAMES names the hook WHEN the action arrives THEN it is drained and completed", async () => {
    vi.stubEnv("LIFECYCLE_HOOK_NAMES", ` ${HOOK} ,other`);
    vi.stubEnv("LIFECYCLE_HEARTBEAT_SECONDS", "600");
    givenInstance({ tasks: [] });

    const summary = await handler(lifecycleEvent, { getRemainingTimeInMillis: () => 890_000 });

    expect(autoscaling).toHaveReceivedCommandWith(CompleteLifecycleActionCommand, completion);
    expect(summary).toMatchObject({ instanceId: INSTANCE, markedDraining: true, lifecycleAction: "completed" });
  });

  test("GIVEN LIFECYCLE_HOOK_NAMES is unset WHEN a lifecycle action arrives THEN it is ignored", async () => {
    await expect(handler(lifecycleEvent)).resolves.toMatchObject({ skipped: "not-our-hook" });
    expect(ecs).not.toHaveReceivedAnyCommand();
    expect(autoscaling).not.toHaveReceivedAnyCommand();
  });
});

describe("lifecycle drain: edges and what it reports", () => {
  const logged = (msg: string) => logLines().filter((line) => line.msg === msg);
  const withDetail = (detail: Record<string, unknown>) => ({ ...lifecycleEvent, detail: { ...lifecycleEvent.detail, ...detail } });

  test.each([
    ["an action without a hook name", withDetail({ LifecycleHookName: undefined }), "not-our-hook"],
    ["an action without an instance id", withDetail({ EC2InstanceId: undefined }), "missing-instance-id"],
    ["an action without a group name", withDetail({ AutoScalingGroupName: undefined }), "missing-instance-id"],
  ])("GIVEN %s WHEN it arrives THEN it is skipped (%s) and nothing is completed", async (_label, event, skipped) => {
    const summary = await drainForLifecycleAction(event, config, lifecycle, deps());

    expect(summary.skipped).toBe(skipped);
    expect(ecs).not.toHaveReceivedAnyCommand();
    expect(autoscaling).not.toHaveReceivedAnyCommand();
    expect(logLines()).toContainEqual(expect.objectContaining({ level: "info", skipped }));
  });

  test.each([
    [{ source: "aws.autoscaling", "detail-type": "EC2 Instance-terminate Lifecycle Action" }, true],
    [{ source: "aws.autoscaling", "detail-type": "EC2 Instance Launch Successful" }, false],
    [{ source: "aws.ec2", "detail-type": "EC2 Instance-terminate Lifecycle Action" }, false],
    [{ source: "aws.ec2", "detail-type": "EC2 Spot Instance Interruption Warning" }, false],
  ])("GIVEN %o WHEN routed THEN isLifecycleAction is %s", (event, expected) => {
    expect(isLifecycleAction(event)).toBe(expected);
  });

  test("GIVEN an action exactly at its deadline WHEN it arrives THEN it is not drained, only completed, and says why", async () => {
    clock.time = DEADLINE;

    const summary = await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    expect(summary).toMatchObject({ skipped: "stale-event", lifecycleAction: "completed", deadline: DEADLINE });
    expect(ecs).not.toHaveReceivedAnyCommand();
    expect(logged("lifecycle action arrived after its deadline, completing it")).toEqual([expect.objectContaining({ eventTime: lifecycleEvent.time })]);
  });

  test("GIVEN a drain WHEN it stops tasks THEN the reason names the Auto Scaling termination and the completion is logged", async () => {
    givenInstance({ tasks: [REPORT_TASK] });

    await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { task: REPORT_TASK.taskArn, reason: `Auto Scaling terminates instance ${INSTANCE}` });
    expect(logged("completed lifecycle action")).toEqual([expect.objectContaining({ level: "info", hookName: HOOK, autoScalingGroupName: GROUP, detailType: lifecycleEvent["detail-type"] })]);
  });

  test("GIVEN only daemon tasks WHEN draining THEN nobody is waited for: no DescribeTasks of an empty list, the daemon is stopped at once", async () => {
    const { stopTimes } = givenInstance({ tasks: [AGENT_TASK] });

    const summary = await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    expect(stopTimes).toEqual([EVENT_TIME + 2_000]);
    for (const call of ecs.commandCalls(DescribeTasksCommand)) expect(call.args[0].input.tasks).not.toEqual([]);
    expect(summary.stoppedTasks).toEqual([AGENT_TASK.taskArn]);
  });

  test("GIVEN nothing is left to stop WHEN draining THEN no task is waited for before completing", async () => {
    givenInstance({ tasks: [WEB_TASK] });

    await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    for (const call of ecs.commandCalls(DescribeTasksCommand)) expect(call.args[0].input.tasks).not.toEqual([]);
    expect(logged("tasks still stopping at the deadline, completing anyway")).toEqual([]);
  });

  test("GIVEN DescribeTasks fails while waiting for tasks to leave WHEN draining THEN it stops what is left and still completes", async () => {
    givenInstance({ tasks: [WEB_TASK, REPORT_TASK] });
    let calls = 0;
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => {
      // The first call maps the tasks; the next ones (the wait) are denied.
      if (calls++ === 0) return { tasks: [WEB_TASK, REPORT_TASK].filter((t) => input.tasks.includes(t.taskArn as string)) };
      throw Object.assign(new Error("denied"), { name: "AccessDeniedException" });
    });

    const summary = await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    expect(summary).toMatchObject({ lifecycleAction: "completed" });
    expect(ecs).toHaveReceivedCommand(StopTaskCommand);
    expect(logged("could not check the tasks, going on")).not.toEqual([]);
  });

  test("GIVEN a task that never stops WHEN the deadline comes THEN the wait says so and the action is completed", async () => {
    givenInstance({ tasks: [REPORT_TASK] });
    ecs.on(StopTaskCommand).resolves({});

    await drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps());

    expect(logged("tasks still stopping at the deadline, completing anyway")).toEqual([expect.objectContaining({ level: "warn", pending: [REPORT_TASK.taskArn] })]);
    expect(autoscaling).toHaveReceivedCommandWith(CompleteLifecycleActionCommand, completion);
  });

  test("GIVEN CompleteLifecycleAction is denied WHEN completing THEN the failure is logged with its reason", async () => {
    givenInstance({ tasks: [] });
    autoscaling.on(CompleteLifecycleActionCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDenied" }));

    await expect(drainForLifecycleAction(lifecycleEvent, config, lifecycle, deps())).rejects.toThrow("not authorized");

    expect(logged("could not complete the lifecycle action, the hook will continue at its timeout")).toEqual([expect.objectContaining({ level: "error", errorName: "AccessDenied" })]);
  });
});

describe("readLifecycleConfig", () => {
  test("GIVEN no variables WHEN read THEN no hook is ours and the heartbeat defaults to 600 s", () => {
    expect(readLifecycleConfig({})).toEqual({ hookNames: [], heartbeatSeconds: 600 });
  });

  test.each(["0", "-5", "ten"])("GIVEN LIFECYCLE_HEARTBEAT_SECONDS=%s WHEN read THEN it fails naming the variable", (value) => {
    expect(() => readLifecycleConfig({ LIFECYCLE_HEARTBEAT_SECONDS: value })).toThrow("LIFECYCLE_HEARTBEAT_SECONDS");
  });
});
