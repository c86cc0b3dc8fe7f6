import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { AutoScalingClient, CompleteLifecycleActionCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeSpotInstanceRequestsCommand, EC2Client, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
  type Service,
  StopTaskCommand,
  type Task,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetDescription,
  type TargetHealthStateEnum,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { drainForEvent, type DrainDeps } from "../../lambdas/spot-drainer/drain";
import { drainForLifecycleAction } from "../../lambdas/spot-drainer/lifecycle";
import { drainAndTerminateForRebalance } from "../../lambdas/spot-drainer/rebalance";
import { targetIdsOf, targetsForTasks } from "../../lambdas/spot-drainer/targets";
import describeTasksResponse from "./fixtures/describe-tasks-mixed-instance.json";
import lifecycleEvent from "./fixtures/lifecycle-action.json";
import rebalanceEvent from "./fixtures/rebalance-recommendation.json";
import spotEvent from "./fixtures/spot-interruption-warning.json";
import { drainerConfig, fakeClock } from "./support/drainer";

/**
 * An instance of production's shape: `api` runs awsvpc tasks (canary deployments: a primary and an alternate `ip`
 * target group) and `admin` bridge tasks (one `instance` group). DescribeTasks answers are real EC2-launch shapes.
 */
const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const autoscaling = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);

const CLUSTER = "acme-api-production";
const CI_ARN = `arn:aws:ecs:eu-west-1:123456789012:container-instance/${CLUSTER}/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;
const tg = (name: string, id: string) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/${id}`;
const TG_API = tg("api-0692ee735b02d9cd", "0123456789abcdef");
const TG_API_ALTERNATE = tg("api-7a1c4e2b9d3f5a60", "1122334455667788");
const TG_ADMIN = tg("admin-3b8e1f0c6d2a4e", "fedcba9876543210");
const OTHER_ENV_TG = tg("api-staging", "99aabbccddeeff00");

const [API_TASK, ADMIN_TASK] = describeTasksResponse.tasks as Task[];
const API_IP = "10.0.12.34";
const ADMIN_HOST_PORT = 32768;

const SERVICES: Service[] = [
  {
    serviceName: "api",
    desiredCount: 2,
    runningCount: 2,
    loadBalancers: [
      {
        targetGroupArn: TG_API,
        containerName: "api",
        containerPort: 8080,
        advancedConfiguration: {
          alternateTargetGroupArn: TG_API_ALTERNATE,
          productionListenerRule: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/acme-api-production/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee",
          roleArn: "arn:aws:iam::123456789012:role/acme-api-api-lb-production",
        },
      },
    ],
  },
  { serviceName: "admin", desiredCount: 1, runningCount: 1, loadBalancers: [{ targetGroupArn: TG_ADMIN, containerName: "admin", containerPort: 3000 }] },
];
const ALL_GROUPS = [TG_API, TG_API_ALTERNATE, TG_ADMIN];

const ipTarget = (Id: string): TargetDescription => ({ Id, Port: 8080 });
const withoutAttachments = (task: Task): Task => ({ ...task, attachments: [] });

let clock: ReturnType<typeof fakeClock>;

beforeEach(() => {
  // The handler logs JSON lines; these tests read its calls, not its log.
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});

afterEach(() => {
  ecs.reset();
  elb.reset();
  autoscaling.reset();
  ec2.reset();
  vi.restoreAllMocks();
});

describe("targetsForTasks: awsvpc tasks register their own address", () => {
  const instanceId = "i-0abcd1234ef567890";
  const secondApiTask: Task = {
    ...API_TASK,
    taskArn: `${API_TASK.taskArn}ff`,
    attachments: [{ ...API_TASK.attachments?.[0], details: [{ name: "privateIPv4Address", value: "10.0.12.99" }] }],
  };
  // ECS creates the interface before the task runs: no address yet, so nothing is registered either.
  const provisioningApiTask: Task = {
    ...API_TASK,
    lastStatus: "PROVISIONING",
    attachments: [{ id: "5f0a3c2e", type: "ElasticNetworkInterface", status: "PRECREATED", details: [{ name: "subnetId", value: "subnet-0a1b2c3d4e5f67890" }] }],
    containers: [{ ...API_TASK.containers?.[0], networkInterfaces: [] }],
  };

  test.each<[string, Task[], string[], Record<string, TargetDescription[]>]>([
    ["an awsvpc task: its ENI address and container port, in the primary and the alternate group", [API_TASK], ALL_GROUPS, { [TG_API]: [ipTarget(API_IP)], [TG_API_ALTERNATE]: [ipTarget(API_IP)] }],
    ["an awsvpc task known only by its container's interface", [withoutAttachments(API_TASK)], ALL_GROUPS, { [TG_API]: [ipTarget(API_IP)], [TG_API_ALTERNATE]: [ipTarget(API_IP)] }],
    ["a bridge task: the instance and its host port, once for the IPv4 and IPv6 bindings", [ADMIN_TASK], ALL_GROUPS, { [TG_ADMIN]: [{ Id: instanceId, Port: ADMIN_HOST_PORT }] }],
    [
      "a mixed instance: ip targets of the awsvpc task, an instance target of the bridge task",
      [API_TASK, ADMIN_TASK],
      ALL_GROUPS,
      { [TG_API]: [ipTarget(API_IP)], [TG_API_ALTERNATE]: [ipTarget(API_IP)], [TG_ADMIN]: [{ Id: instanceId, Port: ADMIN_HOST_PORT }] },
    ],
    [
      "two awsvpc tasks of one service: one target each (same port, own address)",
      [API_TASK, secondApiTask],
      ALL_GROUPS,
      { [TG_API]: [ipTarget(API_IP), ipTarget("10.0.12.99")], [TG_API_ALTERNATE]: [ipTarget(API_IP), ipTarget("10.0.12.99")] },
    ],
    ["an awsvpc task whose interface has no address yet: nothing", [provisioningApiTask], ALL_GROUPS, {}],
    ["groups the role may not touch (not in TARGET_GROUP_ARNS) are skipped", [API_TASK, ADMIN_TASK], [TG_API, OTHER_ENV_TG], { [TG_API]: [ipTarget(API_IP)] }],
  ])("GIVEN %s WHEN mapped THEN those targets", (_case, tasks, allowed, expected) => {
    expect(Object.fromEntries(targetsForTasks(instanceId, tasks, SERVICES, allowed))).toEqual(expected);
  });

  test("GIVEN a mixed instance WHEN its target ids are asked THEN the instance and each awsvpc task's address", () => {
    expect([...targetIdsOf(instanceId, [API_TASK, ADMIN_TASK, provisioningApiTask])]).toEqual([instanceId, API_IP]);
  });
});

/** Health answers per group: successive polls take the next state, the last one repeats. */
function givenMixedInstance(instanceId: string, health: Record<string, TargetHealthStateEnum[]>): void {
  const tasks = describeTasksResponse.tasks as Task[];
  ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CI_ARN] });
  ecs.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [{ containerInstanceArn: CI_ARN, ec2InstanceId: instanceId, status: "ACTIVE" }], failures: [] });
  ecs.on(UpdateContainerInstancesStateCommand).resolves({ containerInstances: [{ containerInstanceArn: CI_ARN }], failures: [] });
  ecs.on(ListTasksCommand).resolves({ taskArns: tasks.map((task) => task.taskArn as string) });
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({ tasks: tasks.filter((task) => input.tasks.includes(task.taskArn as string)), failures: [] }));
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({ services: SERVICES.filter((s) => input.services.includes(s.serviceName as string)), failures: [] }));
  ecs.on(StopTaskCommand).resolves({});
  elb.on(DeregisterTargetsCommand).resolves({});
  for (const [group, states] of Object.entries(health)) {
    const queue = [...states];
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: group }).callsFake((input: { Targets: TargetDescription[] }) => {
      const State = queue.length > 1 ? queue.shift() : queue[0];
      const Reason = State === "unused" ? "Target.NotRegistered" : "Target.DeregistrationInProgress";
      return { TargetHealthDescriptions: input.Targets.map((Target) => ({ Target: { ...Target, AvailabilityZone: "eu-west-1a" }, TargetHealth: { State, Reason } })) };
    });
  }
}

const deps = (): DrainDeps => ({
  ecs: new ECSClient({ region: "eu-west-1" }),
  elb: new ElasticLoadBalancingV2Client({ region: "eu-west-1" }),
  now: clock.now,
  sleep: clock.sleep,
  random: () => 0.5,
});

const deregistrations = () => elb.commandCalls(DeregisterTargetsCommand).map((call) => call.args[0].input);
const productionConfig = { ...drainerConfig(CLUSTER), targetGroupArns: ALL_GROUPS };

describe("Spot interruption on a mixed instance (awsvpc + bridge tasks)", () => {
  const instanceId = spotEvent.detail["instance-id"];

  test("GIVEN the api task serves from the primary group WHEN the warning arrives THEN its ip target leaves both api groups, the admin instance target its group, and tasks stop once all are unused", async () => {
    clock = fakeClock(Date.parse(spotEvent.time) + 2_000);
    // The primary group drains for two polls; the alternate never held the target (NotRegistered at once).
    givenMixedInstance(instanceId, { [TG_API]: ["draining", "draining", "unused"], [TG_API_ALTERNATE]: ["unused"], [TG_ADMIN]: ["draining", "unused"] });

    const summary = await drainForEvent(spotEvent, productionConfig, deps());

    expect(deregistrations()).toEqual(
      expect.arrayContaining([
        { TargetGroupArn: TG_API, Targets: [ipTarget(API_IP)] },
        { TargetGroupArn: TG_API_ALTERNATE, Targets: [ipTarget(API_IP)] },
        { TargetGroupArn: TG_ADMIN, Targets: [{ Id: instanceId, Port: ADMIN_HOST_PORT }] },
      ]),
    );
    expect(deregistrations()).toHaveLength(3);
    expect(elb).toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: TG_API, Targets: [ipTarget(API_IP)] });
    expect(elb).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 3 + 2 + 1);
    expect(summary).toMatchObject({ deregisteredTargets: 3, drainedTargets: 3, targetsStillInUse: 0, stoppedTasks: [API_TASK.taskArn, ADMIN_TASK.taskArn] });
    const lastHealthPoll = elb.commandCalls(DescribeTargetHealthCommand).at(-1);
    expect(lastHealthPoll?.calledBefore(ecs.commandCalls(StopTaskCommand)[0])).toBe(true);
  });

  test("GIVEN the api ip target still draining at the stop point WHEN the warning arrives THEN it is counted as still in use and the tasks are stopped anyway", async () => {
    clock = fakeClock(Date.parse(spotEvent.time) + 2_000);
    givenMixedInstance(instanceId, { [TG_API]: ["draining"], [TG_API_ALTERNATE]: ["unused"], [TG_ADMIN]: ["unused"] });

    const summary = await drainForEvent(spotEvent, productionConfig, deps());

    expect(summary).toMatchObject({ deregisteredTargets: 3, drainedTargets: 2, targetsStillInUse: 1 });
    expect(ecs).toHaveReceivedCommandTimes(StopTaskCommand, 2);
  });
});

describe("ASG lifecycle action on a mixed instance", () => {
  test("GIVEN our hook holds the instance WHEN drained THEN the awsvpc task's ip target leaves both api groups before the action completes", async () => {
    const instanceId = lifecycleEvent.detail.EC2InstanceId;
    clock = fakeClock(Date.parse(lifecycleEvent.time) + 2_000);
    givenMixedInstance(instanceId, { [TG_API]: ["unused"], [TG_API_ALTERNATE]: ["unused"], [TG_ADMIN]: ["unused"] });
    autoscaling.on(CompleteLifecycleActionCommand).resolves({});
    const lifecycle = { hookNames: [lifecycleEvent.detail.LifecycleHookName], heartbeatSeconds: 600 };

    const summary = await drainForLifecycleAction(lifecycleEvent, productionConfig, lifecycle, { ...deps(), autoscaling: new AutoScalingClient({ region: "eu-west-1" }) });

    expect(deregistrations()).toEqual(
      expect.arrayContaining([
        { TargetGroupArn: TG_API, Targets: [ipTarget(API_IP)] },
        { TargetGroupArn: TG_API_ALTERNATE, Targets: [ipTarget(API_IP)] },
        { TargetGroupArn: TG_ADMIN, Targets: [{ Id: instanceId, Port: ADMIN_HOST_PORT }] },
      ]),
    );
    expect(summary).toMatchObject({ lifecycleAction: "completed", deregisteredTargets: 3, drainedTargets: 3 });
  });
});

describe("rebalance termination with awsvpc tasks", () => {
  const instanceId = rebalanceEvent.detail["instance-id"];

  /**
   * The scheduler has moved the api task (STOPPED on the next look); what is left is whether a load balancer still
   * drains its address in the alternate group, whose full listing also holds other instances' targets.
   */
  function givenMovedApiTask(alternateState: TargetHealthStateEnum): void {
    clock = fakeClock(Date.parse(rebalanceEvent.time) + 2_000);
    let moved = false;
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CI_ARN] });
    ecs.on(DescribeContainerInstancesCommand).callsFake((input: { containerInstances?: string[] }) =>
      input.containerInstances
        ? { containerInstances: [{ containerInstanceArn: CI_ARN, ec2InstanceId: instanceId, status: "ACTIVE" }], failures: [] }
        : { containerInstances: [], failures: [] },
    );
    ecs.on(UpdateContainerInstancesStateCommand).resolves({ containerInstances: [{ containerInstanceArn: CI_ARN }], failures: [] });
    ecs.on(ListTasksCommand).callsFake((input: { desiredStatus?: string }) => ({ taskArns: moved || input.desiredStatus === "STOPPED" ? [] : [API_TASK.taskArn] }));
    ecs.on(DescribeTasksCommand).callsFake(() => {
      const answer = { tasks: [{ ...API_TASK, lastStatus: moved ? "STOPPED" : "RUNNING" }], failures: [] };
      moved = true;
      return answer;
    });
    ecs.on(DescribeServicesCommand).resolves({ services: [SERVICES[0]], failures: [] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: TG_API_ALTERNATE }).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: "10.0.40.7", Port: 8080, AvailabilityZone: "eu-west-1b" }, TargetHealth: { State: "healthy" } },
        { Target: { Id: API_IP, Port: 8080, AvailabilityZone: "eu-west-1a" }, TargetHealth: { State: alternateState, Reason: "Target.DeregistrationInProgress" } },
      ],
    });
    ec2.on(DescribeSpotInstanceRequestsCommand).resolves({ SpotInstanceRequests: [] });
    ec2.on(TerminateInstancesCommand).resolves({ TerminatingInstances: [{ InstanceId: instanceId }] });
  }

  const rebalanceDeps = () => ({ ...deps(), ec2: new EC2Client({ region: "eu-west-1" }) });
  const rebalanceConfig = { ...productionConfig, drainOnRebalance: true };

  test.each<[TargetHealthStateEnum, boolean]>([
    ["draining", false],
    ["unused", true],
  ])("GIVEN the moved task's address is %s in the alternate group WHEN the drain ends THEN terminated: %s", async (state, terminated) => {
    givenMovedApiTask(state);

    const summary = await drainAndTerminateForRebalance(rebalanceEvent, rebalanceConfig, { terminateAfterDrain: true }, rebalanceDeps());

    expect(summary.terminated).toBe(terminated);
    expect(summary.refused).toEqual(terminated ? [] : ["targets-in-use"]);
    expect(summary.targetsStillInUse).toBe(terminated ? 0 : 1);
    if (terminated) expect(ec2).toHaveReceivedCommand(TerminateInstancesCommand);
    else expect(ec2).not.toHaveReceivedCommand(TerminateInstancesCommand);
  });
});
