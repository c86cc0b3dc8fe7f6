import type { AwsClientStub } from "aws-sdk-client-mock";
import {
  ContainerInstance,
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
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  TargetHealthStateEnum,
} from "@aws-sdk/client-elastic-load-balancing-v2";

/** A service of the fake cluster: replicas (moved by the scheduler) or a daemon (one task per instance). */
export interface FakeService {
  readonly name: string;
  readonly desiredCount: number;
  readonly daemon?: boolean;
  readonly targetGroupArn?: string;
  readonly containerPort?: number;
}

interface FakeTask {
  readonly arn: string;
  readonly group: string;
  instanceId: string;
  desiredStatus: "RUNNING" | "STOPPED";
  /** When ECS or the drainer asked it to stop; it reports STOPPED `exitMs` later. */
  stopRequestedAt?: number;
  readonly exitMs: number;
  readonly hostPort: number;
  readonly containerPort: number;
}

interface FakeInstance {
  readonly ec2InstanceId: string;
  readonly arn: string;
  status: "ACTIVE" | "DRAINING";
  registeredAt: Date;
  /** When it goes DRAINING, for the scheduler's move. */
  drainingSince?: number;
  /** Fields DescribeContainerInstances reports otherwise (e.g. a disconnected agent). */
  readonly described: Partial<ContainerInstance>;
}

export interface SchedulerBehaviour {
  /** How long the service scheduler takes to move a replica off a DRAINING instance once it has room elsewhere. */
  readonly moveMs: number;
  /** With minimumHealthyPercent < 100 the scheduler also stops replicas it has no room for (they stay PENDING). */
  readonly stopsWithoutRoom?: boolean;
  /** How long a task takes to exit after SIGTERM. */
  readonly exitMs: number;
  /** The target groups' deregistration delay: a deregistered target drains this long before it is `unused`. @default 0 */
  readonly deregistrationDelayMs?: number;
}

/**
 * A small ECS cluster behind aws-sdk-client-mock: container instances, service and standalone tasks, target
 * groups, and a service scheduler that moves replicas off DRAINING instances to ACTIVE ones, all on the
 * test's clock. The drainer sees only what the ECS and ELBv2 APIs would answer.
 */
export class FakeCluster {
  readonly instances: FakeInstance[] = [];
  readonly tasks: FakeTask[] = [];
  /** Target group ARN → "instance:port" → state override (absent means: follows the task). */
  readonly targetStates = new Map<string, Map<string, TargetHealthStateEnum>>();
  /** Target group ARN → "instance:port" → when DeregisterTargets was accepted for it. */
  readonly deregisteredAt = new Map<string, number>();
  private taskCount = 0;

  constructor(
    private readonly cluster: string,
    private readonly services: readonly FakeService[],
    private readonly clock: { now(): number },
    private readonly scheduler: SchedulerBehaviour,
  ) {}

  containerInstanceArn(ec2InstanceId: string): string {
    return `arn:aws:ecs:eu-west-1:123456789012:container-instance/${this.cluster}/${ec2InstanceId.slice(2).padEnd(32, "0")}`;
  }

  /** Registers a container instance; it is invisible (still booting) until `registeredAt`. */
  addInstance(ec2InstanceId: string, registeredAt: number, described: Partial<ContainerInstance> = {}): void {
    this.instances.push({ ec2InstanceId, arn: this.containerInstanceArn(ec2InstanceId), status: "ACTIVE", registeredAt: new Date(registeredAt), described });
  }

  /** Starts a task of `group` ("service:<name>" or "family:<name>") on the instance. */
  addTask(ec2InstanceId: string, group: string, exitMs = this.scheduler.exitMs): string {
    this.taskCount += 1;
    const arn = `arn:aws:ecs:eu-west-1:123456789012:task/${this.cluster}/${this.taskCount.toString(16).padStart(32, "0")}`;
    const service = this.services.find((s) => `service:${s.name}` === group);
    this.tasks.push({ arn, group, instanceId: ec2InstanceId, desiredStatus: "RUNNING", exitMs, hostPort: 32768 + this.taskCount, containerPort: service?.containerPort ?? 8080 });
    return arn;
  }

  instance(ec2InstanceId: string): FakeInstance {
    const found = this.instances.find((i) => i.ec2InstanceId === ec2InstanceId);
    if (!found) throw new Error(`no instance ${ec2InstanceId}`);
    return found;
  }

  task(arn: string): FakeTask {
    const found = this.tasks.find((t) => t.arn === arn);
    if (!found) throw new Error(`no task ${arn}`);
    return found;
  }

  /** Tasks of the service that run (not stopping), by instance. */
  runningTasks(serviceName: string): string[] {
    return this.tasks.filter((t) => t.group === `service:${serviceName}` && this.lastStatus(t) === "RUNNING").map((t) => t.instanceId);
  }

  private visible(): FakeInstance[] {
    return this.instances.filter((i) => i.registeredAt.getTime() <= this.clock.now());
  }

  lastStatus(task: FakeTask): string {
    if (task.stopRequestedAt === undefined) return "RUNNING";
    const since = this.clock.now() - task.stopRequestedAt;
    return since < 0 ? "DEACTIVATING" : since >= task.exitMs ? "STOPPED" : since >= task.exitMs / 2 ? "STOPPING" : "DEACTIVATING";
  }

  /** Stops a task: SIGTERM at `sigtermAt` (DEACTIVATING until then), STOPPED once it exits. */
  private stop(task: FakeTask, sigtermAt = this.clock.now()): void {
    if (task.desiredStatus === "STOPPED") return;
    task.desiredStatus = "STOPPED";
    task.stopRequestedAt = sigtermAt;
  }

  /** The service scheduler, caught up to the clock: replicas on DRAINING instances move where there is room. */
  private schedule(): void {
    for (const task of this.tasks) {
      const instance = this.instances.find((i) => i.ec2InstanceId === task.instanceId);
      const service = this.services.find((s) => `service:${s.name}` === task.group);
      if (!instance || !service || service.daemon || instance.status !== "DRAINING" || task.desiredStatus !== "RUNNING") continue;
      if (this.clock.now() < (instance.drainingSince ?? 0) + this.scheduler.moveMs) continue;
      const home = this.visible().find((i) => i.status === "ACTIVE");
      if (home) {
        // Like ECS: the replacement starts, the old target is deregistered and drains, then the old task gets SIGTERM.
        this.addTask(home.ec2InstanceId, task.group);
        if (service.targetGroupArn) {
          const key = `${service.targetGroupArn} ${task.instanceId}:${task.hostPort}`;
          if (!this.deregisteredAt.has(key)) this.deregisteredAt.set(key, this.clock.now());
        }
        this.stop(task, this.clock.now() + (service.targetGroupArn ? (this.scheduler.deregistrationDelayMs ?? 0) : 0));
      } else if (this.scheduler.stopsWithoutRoom) {
        this.stop(task);
      }
    }
  }

  private running(serviceName: string): number {
    return this.runningTasks(serviceName).length;
  }

  private describeInstance(instance: FakeInstance): ContainerInstance {
    return { containerInstanceArn: instance.arn, ec2InstanceId: instance.ec2InstanceId, status: instance.status, agentConnected: true, registeredAt: instance.registeredAt, ...instance.described };
  }

  private describeTask(task: FakeTask): Task {
    const service = this.services.find((s) => `service:${s.name}` === task.group);
    return {
      taskArn: task.arn,
      group: task.group,
      lastStatus: this.lastStatus(task),
      desiredStatus: task.desiredStatus,
      containerInstanceArn: this.containerInstanceArn(task.instanceId),
      containers: [{ name: service?.name ?? "job", networkBindings: [{ containerPort: task.containerPort, hostPort: task.hostPort, protocol: "tcp" }] }],
    };
  }

  /** The instance's target in a group: registered while its task runs, draining while it deactivates, then gone. */
  private targetState(tg: string, task: FakeTask): TargetHealthStateEnum | undefined {
    const override = this.targetStates.get(tg)?.get(`${task.instanceId}:${task.hostPort}`);
    if (override !== undefined) return override;
    const deregistered = this.deregisteredAt.get(`${tg} ${task.instanceId}:${task.hostPort}`);
    if (deregistered !== undefined) return this.clock.now() >= deregistered + (this.scheduler.deregistrationDelayMs ?? 0) ? "unused" : "draining";
    const status = this.lastStatus(task);
    return status === "RUNNING" ? "healthy" : status === "DEACTIVATING" ? "draining" : undefined;
  }

  /** Answers the drainer's ECS and ELBv2 calls from this model. */
  mock(ecs: AwsClientStub<ECSClient>, elb: AwsClientStub<ElasticLoadBalancingV2Client>): void {
    ecs.on(ListContainerInstancesCommand).callsFake((input) => {
      this.schedule();
      const byId = /ec2InstanceId == (\S+)/.exec(input.filter ?? "")?.[1];
      const found = this.visible().filter((i) => (byId === undefined || i.ec2InstanceId === byId) && (input.status === undefined || i.status === input.status));
      return { containerInstanceArns: found.map((i) => i.arn) };
    });
    ecs.on(DescribeContainerInstancesCommand).callsFake((input) => ({
      containerInstances: this.instances.filter((i) => input.containerInstances.includes(i.arn)).map((i) => this.describeInstance(i)),
      failures: [],
    }));
    ecs.on(UpdateContainerInstancesStateCommand).callsFake((input) => {
      for (const instance of this.instances.filter((i) => input.containerInstances.includes(i.arn))) {
        instance.status = input.status;
        instance.drainingSince = input.status === "DRAINING" ? this.clock.now() : undefined;
      }
      return { containerInstances: [], failures: [] };
    });
    ecs.on(ListTasksCommand).callsFake((input) => {
      this.schedule();
      const desired = input.desiredStatus ?? "RUNNING";
      const on = this.tasks.filter((t) => this.containerInstanceArn(t.instanceId) === input.containerInstance && t.desiredStatus === desired);
      return { taskArns: on.map((t) => t.arn) };
    });
    ecs.on(DescribeTasksCommand).callsFake((input) => {
      this.schedule();
      return { tasks: this.tasks.filter((t) => input.tasks.includes(t.arn)).map((t) => this.describeTask(t)), failures: [] };
    });
    ecs.on(StopTaskCommand).callsFake((input) => {
      const task = this.tasks.find((t) => t.arn === input.task);
      if (task) this.stop(task);
      return { task: task && this.describeTask(task) };
    });
    ecs.on(DescribeServicesCommand).callsFake((input) => {
      this.schedule();
      return {
        services: this.services
          .filter((s) => input.services.includes(s.name))
          .map((s) => ({
            serviceName: s.name,
            schedulingStrategy: s.daemon ? "DAEMON" : "REPLICA",
            desiredCount: s.daemon ? this.visible().length : s.desiredCount,
            runningCount: this.running(s.name),
            loadBalancers: s.targetGroupArn ? [{ targetGroupArn: s.targetGroupArn, containerName: s.name, containerPort: s.containerPort ?? 8080 }] : [],
          })),
        failures: [],
      };
    });
    elb.on(DescribeTargetHealthCommand).callsFake((input) => {
      const service = this.services.find((s) => s.targetGroupArn === input.TargetGroupArn);
      const tasks = this.tasks.filter((t) => service !== undefined && t.group === `service:${service.name}`);
      return {
        TargetHealthDescriptions: tasks.flatMap((t) => {
          const State = this.targetState(input.TargetGroupArn, t);
          return State === undefined ? [] : [{ Target: { Id: t.instanceId, Port: t.hostPort }, TargetHealth: { State } }];
        }),
      };
    });
    elb.on(DeregisterTargetsCommand).callsFake((input) => {
      for (const target of input.Targets) {
        const key = `${input.TargetGroupArn} ${target.Id}:${target.Port}`;
        if (!this.deregisteredAt.has(key)) this.deregisteredAt.set(key, this.clock.now());
      }
      return {};
    });
  }
}
