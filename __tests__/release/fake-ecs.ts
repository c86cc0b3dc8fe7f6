/**
 * A stateful fake of the ECS API the release tool uses, on aws-sdk-client-mock with the SDK's real shapes and
 * exception classes: task definition families with ACTIVE/INACTIVE revisions (a bare family resolves to its latest
 * ACTIVE revision, as ECS does), services with `deployments[]`, the service-deployment history, and tasks. How a
 * deployment ends is scripted per image, so a scenario reads like what a team did.
 */
import {
  ClientException,
  ClusterNotFoundException,
  DeregisterTaskDefinitionCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopServiceDeploymentCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type Deployment,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type ServiceDeployment,
  type ServiceDeploymentLifecycleStage,
  type Tag,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { ACCOUNT, REGION } from "./support";

/** How a deployment of an image ends, after `polls` DescribeServiceDeployments calls showing it IN_PROGRESS. */
export type Fate =
  | { readonly ends: "successful"; readonly polls?: number }
  | { readonly ends: "circuit-breaker" | "alarm" | "hook"; readonly polls?: number }
  | { readonly ends: "never" };

interface Revision {
  readonly definition: TaskDefinition;
  readonly tags: Tag[];
}

interface FakeDeployment {
  readonly record: ServiceDeployment;
  readonly fate: Fate;
  readonly sourceTaskDefinition: string;
  readonly taskDefinition: string;
  polls: number;
}

interface FakeService {
  readonly name: string;
  readonly cluster: string;
  taskDefinition: string;
  /** The PRIMARY entry's id in `deployments[]`. */
  primaryId: string;
  readonly history: FakeDeployment[];
}

const ecsArn = (kind: string, rest: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:${kind}/${rest}`;

export class FakeEcs {
  readonly mock = mockClient(ECSClient);
  private readonly families = new Map<string, Revision[]>();
  private readonly services = new Map<string, FakeService>();
  private readonly tasks = new Map<string, Task & { polls: number }>();
  private readonly fates = new Map<string, Fate>();
  private nextDeployment = 9_000_000_000_000_000_000n;
  /** Task definitions the runs of scheduled jobs started (EventBridge resolves the family's latest ACTIVE revision). */
  readonly jobRuns: string[] = [];
  /** The next RegisterTaskDefinition registers twice, like a call retried after its response was lost. */
  duplicateNextRegistration = false;
  clusterExists = true;

  constructor() {
    const m = this.mock;
    m.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => {
      const registered = this.register(input);
      if (this.duplicateNextRegistration) {
        // The first attempt got through, its response was lost, the SDK sent it again: a second identical revision.
        this.duplicateNextRegistration = false;
        return { taskDefinition: this.register(input).definition, tags: registered.tags };
      }
      return { taskDefinition: registered.definition, tags: registered.tags };
    });
    m.on(DescribeTaskDefinitionCommand).callsFake(({ taskDefinition, include }) => {
      const revision = this.resolve(taskDefinition as string);
      return { taskDefinition: revision.definition, ...(include?.includes("TAGS") && { tags: revision.tags }) };
    });
    m.on(ListTaskDefinitionsCommand).callsFake(({ familyPrefix, status, sort }) => {
      const arns = [...this.families.entries()]
        .filter(([family]) => family.startsWith(familyPrefix as string))
        .flatMap(([, revisions]) => revisions)
        .filter((revision) => revision.definition.status === (status ?? "ACTIVE"))
        .map((revision) => revision.definition.taskDefinitionArn as string);
      return { taskDefinitionArns: sort === "DESC" ? arns.reverse() : arns };
    });
    m.on(DeregisterTaskDefinitionCommand).callsFake(({ taskDefinition }) => {
      const revision = this.resolve(taskDefinition as string);
      Object.assign(revision.definition, { status: "INACTIVE", deregisteredAt: new Date() });
      return { taskDefinition: revision.definition };
    });
    m.on(DescribeServicesCommand).callsFake(({ services }) => {
      if (!this.clusterExists) throw new ClusterNotFoundException({ message: "Cluster not found.", $metadata: {} });
      const found = (services as string[]).map((name) => this.services.get(name)).filter((service): service is FakeService => service !== undefined);
      return { services: found.map((service) => this.describeService(service)), failures: [] };
    });
    m.on(UpdateServiceCommand).callsFake(({ service: name, taskDefinition }) => {
      const service = this.services.get(name as string) as FakeService;
      const revision = this.resolve(taskDefinition as string);
      if (revision.definition.status !== "ACTIVE") throw new ClientException({ message: "TaskDefinition is inactive", $metadata: {} });
      this.startDeployment(service, revision.definition.taskDefinitionArn as string);
      return { service: this.describeService(service) };
    });
    m.on(ListServiceDeploymentsCommand).callsFake(({ service: name, status, createdAt }) => {
      const service = this.services.get(name as string) as FakeService;
      const briefs = service.history
        .map((deployment) => deployment.record)
        .filter((record) => status === undefined || status.includes(record.status as never))
        .filter((record) => createdAt?.after === undefined || (record.createdAt as Date) >= createdAt.after)
        .map((record) => ({
          serviceDeploymentArn: record.serviceDeploymentArn,
          serviceArn: record.serviceArn,
          clusterArn: record.clusterArn,
          createdAt: record.createdAt,
          startedAt: record.startedAt,
          finishedAt: record.finishedAt,
          targetServiceRevisionArn: record.targetServiceRevision?.arn,
          status: record.status,
          statusReason: record.statusReason,
        }));
      return { serviceDeployments: briefs };
    });
    m.on(DescribeServiceDeploymentsCommand).callsFake(({ serviceDeploymentArns }) => {
      const found = [...this.services.values()].flatMap((service) => service.history).filter((deployment) => (serviceDeploymentArns as string[]).includes(deployment.record.serviceDeploymentArn as string));
      for (const deployment of found) this.advance(deployment);
      return { serviceDeployments: found.map((deployment) => structuredClone(deployment.record)), failures: [] };
    });
    m.on(DescribeServiceRevisionsCommand).callsFake(({ serviceRevisionArns }) => {
      const revisions = (serviceRevisionArns as string[]).map((arn) => {
        const deployment = [...this.services.values()].flatMap((service) => service.history).find((candidate) => candidate.record.targetServiceRevision?.arn === arn);
        return { serviceRevisionArn: arn, taskDefinition: deployment?.taskDefinition };
      });
      return { serviceRevisions: revisions, failures: [] };
    });
    m.on(StopServiceDeploymentCommand).callsFake(({ serviceDeploymentArn, stopType }) => {
      const deployment = [...this.services.values()].flatMap((service) => service.history).find((candidate) => candidate.record.serviceDeploymentArn === serviceDeploymentArn) as FakeDeployment;
      const service = [...this.services.values()].find((candidate) => candidate.history.includes(deployment)) as FakeService;
      Object.assign(deployment.record, {
        status: "ROLLBACK_SUCCESSFUL",
        lifecycleStage: undefined,
        finishedAt: new Date(),
        rollback: { reason: `Service deployment rolled back because of a ${stopType} stop request.`, startedAt: new Date(), serviceRevisionArn: deployment.record.sourceServiceRevisions?.[0]?.arn },
      });
      service.taskDefinition = deployment.sourceTaskDefinition;
      return { serviceDeploymentArn };
    });
    m.on(RunTaskCommand).callsFake(({ taskDefinition }) => {
      const revision = this.resolve(taskDefinition as string);
      if (revision.definition.status !== "ACTIVE") throw new ClientException({ message: "TaskDefinition is inactive", $metadata: {} });
      const task = {
        taskArn: ecsArn("task", `acme-api-production/${String(this.tasks.size).padStart(32, "0")}`),
        taskDefinitionArn: revision.definition.taskDefinitionArn,
        lastStatus: "PROVISIONING",
        containers: [{ name: revision.definition.containerDefinitions?.[0]?.name, lastStatus: "PENDING" }],
        polls: 0,
      };
      this.tasks.set(task.taskArn, task);
      return { tasks: [task], failures: [] };
    });
    m.on(DescribeTasksCommand).callsFake(({ tasks }) => {
      const found = (tasks as string[]).map((arn) => this.tasks.get(arn)).filter((task) => task !== undefined);
      for (const task of found) this.advanceTask(task);
      return { tasks: found.map(({ polls: _polls, ...task }) => task) };
    });
    m.on(StopTaskCommand).callsFake(({ task: arn, reason }) => {
      const task = this.tasks.get(arn as string) as Task & { polls: number };
      Object.assign(task, { lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "UserInitiated", stoppedReason: reason });
      return { task };
    });
  }

  /** What Terraform's apply does: registers `definition` as the next revision of `family`. */
  register(input: RegisterTaskDefinitionCommandInput): Revision {
    const family = input.family as string;
    const revisions = this.families.get(family) ?? [];
    this.families.set(family, revisions);
    const number = revisions.length + 1;
    const definition: TaskDefinition = {
      ...structuredClone({ ...input, tags: undefined }),
      taskDefinitionArn: ecsArn("task-definition", `${family}:${number}`),
      revision: number,
      status: "ACTIVE",
      compatibilities: ["EC2"],
      requiresAttributes: [{ name: "com.amazonaws.ecs.capability.logging-driver.awslogs" }],
      registeredAt: new Date(),
      registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/acme-api-deploy-production/GitHubActions`,
    } as TaskDefinition;
    delete (definition as { tags?: unknown }).tags;
    const revision = { definition, tags: [...(input.tags ?? [])] };
    revisions.push(revision);
    return revision;
  }

  /** A service created by Terraform, running `taskDefinition`, with one SUCCESSFUL deployment in its history. */
  createService(name: string, taskDefinition: string): void {
    const service: FakeService = { name, cluster: "acme-api-production", taskDefinition, primaryId: "", history: [] };
    this.services.set(name, service);
    this.startDeployment(service, taskDefinition, { ends: "successful", polls: 0 });
    this.advance(service.history[0]);
  }

  /** How deployments of `image` end. @default successful after 2 polls */
  fateOf(image: string, fate: Fate): void {
    this.fates.set(image, fate);
  }

  /** What the service runs now. */
  running(name: string): TaskDefinition {
    return this.resolve(this.services.get(name)?.taskDefinition as string).definition;
  }

  /** A scheduled job's run: EventBridge starts the family's latest ACTIVE revision. */
  runJob(family: string): TaskDefinition {
    const definition = this.resolve(family).definition;
    this.jobRuns.push(definition.taskDefinitionArn as string);
    return definition;
  }

  activeRevisions(family: string): string[] {
    return (this.families.get(family) ?? []).filter((revision) => revision.definition.status === "ACTIVE").map((revision) => revision.definition.taskDefinitionArn as string);
  }

  /** How one-off tasks end: their container's exit code after `polls` looks, or never. */
  taskOutcome: { readonly exitCode: number; readonly polls: number } | "never" = { exitCode: 0, polls: 2 };

  private advanceTask(task: Task & { polls: number }): void {
    if (task.lastStatus === "STOPPED") return;
    task.polls++;
    if (this.taskOutcome === "never" || task.polls < this.taskOutcome.polls) {
      task.lastStatus = "RUNNING";
      return;
    }
    const exitCode = this.taskOutcome.exitCode;
    Object.assign(task, { lastStatus: "STOPPED", stopCode: "EssentialContainerExited", containers: task.containers?.map((container) => ({ ...container, exitCode })) });
  }

  allTasks(): Task[] {
    return [...this.tasks.values()];
  }

  private resolve(reference: string): Revision {
    const match = /^(?:arn:[^:]+:ecs:[^:]+:\d+:task-definition\/)?([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(reference);
    const revisions = match ? (this.families.get(match[1]) ?? []) : [];
    const revision = match?.[2] === undefined ? revisions.filter((candidate) => candidate.definition.status === "ACTIVE").at(-1) : revisions[Number(match[2]) - 1];
    if (!revision) throw new ClientException({ message: "Unable to describe task definition.", $metadata: {} });
    return revision;
  }

  private startDeployment(service: FakeService, taskDefinition: string, fate?: Fate): void {
    const id = this.nextDeployment++;
    const image = this.resolve(taskDefinition).definition.containerDefinitions?.[0]?.image as string;
    const now = new Date();
    const previous = service.history.at(-1);
    const record: ServiceDeployment = {
      serviceDeploymentArn: ecsArn("service-deployment", `${service.cluster}/${service.name}/${id.toString(36)}`),
      serviceArn: ecsArn("service", `${service.cluster}/${service.name}`),
      clusterArn: ecsArn("cluster", service.cluster),
      createdAt: now,
      startedAt: now,
      updatedAt: now,
      sourceServiceRevisions: previous ? [{ arn: previous.record.targetServiceRevision?.arn, requestedTaskCount: 4, runningTaskCount: 4, pendingTaskCount: 0 }] : [],
      targetServiceRevision: { arn: ecsArn("service-revision", `${service.cluster}/${service.name}/${id}`), requestedTaskCount: 4, runningTaskCount: 0, pendingTaskCount: 0 },
      status: "PENDING",
      lifecycleStage: "RECONCILE_SERVICE",
      deploymentCircuitBreaker: { status: "MONITORING", failureCount: 0, threshold: 3 },
      alarms: { status: "MONITORING", alarmNames: ["acme-api-api-production-target-5xx"], triggeredAlarmNames: [] },
    };
    service.primaryId = `ecs-svc/${id}`;
    service.history.push({ record, fate: fate ?? this.fates.get(image) ?? { ends: "successful", polls: 2 }, sourceTaskDefinition: service.taskDefinition, taskDefinition, polls: 0 });
    service.taskDefinition = taskDefinition;
  }

  /** One step of a deployment, on each look at its record: the stages of a rolling deployment, then its fate. */
  private advance(deployment: FakeDeployment): void {
    const record = deployment.record;
    if (!["PENDING", "IN_PROGRESS"].includes(record.status as string)) return;
    const fate = deployment.fate;
    const stages: ServiceDeploymentLifecycleStage[] = ["SCALE_UP", "BAKE_TIME", "CLEAN_UP"];
    if (fate.ends === "never" || deployment.polls < (fate.polls ?? 2)) {
      Object.assign(record, { status: "IN_PROGRESS", lifecycleStage: stages[Math.min(deployment.polls, stages.length - 1)] });
      deployment.polls++;
      return;
    }
    const service = [...this.services.values()].find((candidate) => candidate.history.includes(deployment)) as FakeService;
    if (fate.ends === "successful") {
      Object.assign(record, { status: "SUCCESSFUL", lifecycleStage: undefined, finishedAt: new Date(), targetServiceRevision: { ...record.targetServiceRevision, runningTaskCount: 4 } });
      return;
    }
    const reasons = {
      "circuit-breaker": { deploymentCircuitBreaker: { status: "TRIGGERED", failureCount: 3, threshold: 3 }, reason: "ECS deployment circuit breaker: tasks failed to start." },
      alarm: { alarms: { status: "TRIGGERED", alarmNames: ["acme-api-api-production-target-5xx"], triggeredAlarmNames: ["acme-api-api-production-target-5xx"] }, reason: "Service deployment rolled back because of alarm acme-api-api-production-target-5xx." },
      hook: { lifecycleHookDetails: [{ hookId: "smoke", targetArn: "arn:aws:lambda:eu-west-1:123456789012:function:smoke", status: "FAILED" }], reason: "Service deployment rolled back because a lifecycle hook failed." },
    }[fate.ends];
    const { reason, ...monitors } = reasons;
    Object.assign(record, monitors, {
      status: "ROLLBACK_SUCCESSFUL",
      lifecycleStage: undefined,
      finishedAt: new Date(),
      rollback: { reason, startedAt: new Date(), serviceRevisionArn: record.sourceServiceRevisions?.[0]?.arn },
    });
    service.taskDefinition = deployment.sourceTaskDefinition;
  }

  private describeService(service: FakeService): Service {
    const latest = service.history.at(-1) as FakeDeployment;
    const deployments: Deployment[] = [
      {
        id: service.primaryId,
        status: "PRIMARY",
        taskDefinition: service.taskDefinition,
        desiredCount: 4,
        runningCount: 4,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: ["SUCCESSFUL", "ROLLBACK_SUCCESSFUL"].includes(latest.record.status as string) ? "COMPLETED" : "IN_PROGRESS",
        rolloutStateReason: "ECS deployment in progress.",
      },
    ];
    if (["PENDING", "IN_PROGRESS"].includes(latest.record.status as string)) {
      deployments.push({ id: "ecs-svc/1", status: "ACTIVE", taskDefinition: latest.sourceTaskDefinition, desiredCount: 4, runningCount: 4, rolloutState: "COMPLETED" });
    }
    return {
      serviceArn: ecsArn("service", `${service.cluster}/${service.name}`),
      serviceName: service.name,
      clusterArn: ecsArn("cluster", service.cluster),
      status: "ACTIVE",
      desiredCount: 4,
      runningCount: 4,
      pendingCount: 0,
      taskDefinition: service.taskDefinition,
      capacityProviderStrategy: [{ capacityProvider: "acme-api-spot-production", weight: 1, base: 0 }],
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 50, maximumPercent: 200 },
      deploymentController: { type: "ECS" },
      deployments,
      events: [],
    };
  }
}

/** A container definition of the production `api` service, as the stack would synthesize it. */
export function apiContainer(overrides: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name: "api",
    image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-api:1.0.0",
    cpu: 512,
    memory: 1024,
    essential: true,
    portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }],
    environment: [{ name: "NODE_ENV", value: "production" }],
    secrets: [{ name: "DATABASE_URL", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/acme-api/production/database-url" }],
    ...overrides,
  };
}
