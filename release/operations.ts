import { randomUUID } from "node:crypto";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type Deployment,
  type ECSClient,
  type RunTaskCommandInput,
  type Service,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { errorLabel, isTransient, withRetry, type Clock } from "./retry";
import type { ReleaseTarget } from "./targets";
import { imageOf, revisionOf, revisionWithImage, shortName, TaskDefinitionMismatch } from "./task-definition";

/** How a command ended: only `succeeded` exits 0. */
export type Outcome = "succeeded" | "failed" | "rolled-back" | "timed-out";

/** The result of deploy, rollback and run, printed as one JSON object with --json. */
export interface ReleaseResult {
  readonly outcome: Outcome;
  readonly command: "deploy" | "rollback" | "run";
  readonly environment: string;
  readonly target: string;
  readonly kind: ReleaseTarget["kind"];
  readonly cluster: string;
  readonly service?: string;
  readonly family: string;
  /** What ran before (deploy, rollback). */
  readonly previousTaskDefinition?: string;
  /** What was deployed, or what the task ran. */
  readonly taskDefinition?: string;
  readonly image?: string;
  /** The deployment the UpdateService call created (services). */
  readonly deploymentId?: string;
  /** Where ECS took the service when it rolled the deployment back. */
  readonly rolledBackTo?: string;
  /** What triggered the rollback, read from ECS's rolloutStateReason (informational). */
  readonly rollbackTrigger?: "circuit-breaker" | "alarm" | "unknown";
  readonly taskArn?: string;
  readonly exitCode?: number;
  readonly stopCode?: string;
  readonly reason?: string;
  readonly elapsedSeconds: number;
}

export interface ServiceStatus {
  readonly name: string;
  readonly kind: ReleaseTarget["kind"];
  readonly found: boolean;
  readonly service?: string;
  readonly status?: string;
  readonly running?: number;
  readonly desired?: number;
  readonly pending?: number;
  readonly taskDefinition?: string;
  readonly revision?: number;
  readonly image?: string;
  readonly rolloutState?: string;
  readonly rolloutStateReason?: string;
  /** Deployments still in `deployments[]` (more than one: a rollout is under way). */
  readonly deployments?: number;
  /** The latest service events, newest first. */
  readonly events?: ReadonlyArray<{ readonly at?: string; readonly message?: string }>;
}

export interface StatusResult {
  readonly outcome: "succeeded" | "failed";
  readonly command: "status";
  readonly environment: string;
  readonly cluster: string;
  readonly targets: ServiceStatus[];
  readonly reason?: string;
}

export interface ReleaseOptions {
  readonly ecs: ECSClient;
  readonly clock: Clock;
  /** One line per state change; the CLI prefixes the elapsed seconds. */
  readonly progress: (message: string) => void;
  /** Whole-command limit in seconds. */
  readonly timeoutSeconds: number;
  /**
   * Seconds between polls: the first entries once each, then the last one.
   * @default [3, 5, 10, 15]
   */
  readonly pollSeconds?: readonly number[];
}

/** A failure the CLI reports as outcome `failed` (exit 1) with this message, without a stack trace. */
export class ReleaseFailed extends Error {}

const STARTED_BY = "release-cli";
const EVENTS_SHOWN = 3;

/**
 * deploy, rollback, run and status against the live ECS API, for targets named from the config.
 * Every call is retried on throttling and transient errors inside the command's deadline.
 */
export class Release {
  private readonly started: number;
  private readonly deadline: number;
  private readonly pollSeconds: readonly number[];

  constructor(private readonly options: ReleaseOptions) {
    this.started = options.clock.now();
    this.deadline = this.started + options.timeoutSeconds * 1000;
    this.pollSeconds = options.pollSeconds ?? [3, 5, 10, 15];
  }

  /** Services: a new revision of the live task definition with `image`, rolled out and followed to COMPLETED. Jobs: the new revision. */
  async deploy(target: ReleaseTarget, image: string): Promise<ReleaseResult> {
    if (target.kind === "job") {
      const { taskDefinition, tags } = await this.describeTaskDefinition(target.family, target);
      const registered = await this.register(taskDefinition, tags, target, image);
      this.options.progress(`the schedule runs ${shortName(registered)} from its next run (the latest ACTIVE revision of ${target.family})`);
      return this.result("deploy", target, "succeeded", { previousTaskDefinition: taskDefinition.taskDefinitionArn, taskDefinition: registered, image });
    }
    const service = await this.describeService(target);
    const primary = this.idlePrimary(service, "deploy");
    const { taskDefinition, tags } = await this.describeTaskDefinition(primary.taskDefinition as string, target);
    const registered = await this.register(taskDefinition, tags, target, image);
    return this.rollOut("deploy", target, primary, registered, image);
  }

  /** The service back to the newest ACTIVE revision of its family older than the one it runs, followed like a deploy. */
  async rollback(target: ReleaseTarget): Promise<ReleaseResult> {
    const service = await this.describeService(target);
    const primary = this.idlePrimary(service, "rollback");
    const current = primary.taskDefinition as string;
    if (!shortName(current).startsWith(`${target.family}:`)) {
      throw new ReleaseFailed(`${target.service} runs ${shortName(current)}, not a revision of ${target.family}: the live service differs from the config`);
    }
    const previous = await this.previousRevision(target.family, current);
    if (previous === undefined) {
      throw new ReleaseFailed(`no ACTIVE revision of ${target.family} older than ${shortName(current)} to roll back to`);
    }
    this.options.progress(`rolling ${target.service} back from ${shortName(current)} to ${shortName(previous)}`);
    return this.rollOut("rollback", target, primary, previous, undefined);
  }

  /** A one-off task with `command` on the main container; its exit code decides. */
  async run(target: ReleaseTarget, command: readonly string[], image: string | undefined): Promise<ReleaseResult> {
    let source: string;
    let placement: Pick<RunTaskCommandInput, "capacityProviderStrategy" | "launchType">;
    if (target.kind === "service") {
      const service = await this.describeService(target);
      source = primaryOf(service)?.taskDefinition ?? (service.taskDefinition as string);
      placement =
        service.capacityProviderStrategy && service.capacityProviderStrategy.length > 0
          ? { capacityProviderStrategy: service.capacityProviderStrategy }
          : { launchType: service.launchType ?? "EC2" };
    } else {
      source = target.family;
      placement = target.placement && "capacityProviderStrategy" in target.placement
        ? { capacityProviderStrategy: target.placement.capacityProviderStrategy.map((item) => ({ ...item })) }
        : { launchType: "EC2" };
    }
    const { taskDefinition: described, tags } = await this.describeTaskDefinition(source, target);
    let taskDefinition = described.taskDefinitionArn as string;
    if (image !== undefined) {
      taskDefinition = await this.register(described, tags, target, image);
    } else if (!described.containerDefinitions?.some((definition) => definition.name === target.container)) {
      throw new ReleaseFailed(`task definition ${shortName(taskDefinition)} has no container "${target.container}"`);
    }
    // One token for every attempt: a retried RunTask whose first attempt did get through starts no second task.
    const clientToken = randomUUID();
    const response = await this.call("RunTask", () =>
      this.options.ecs.send(
        new RunTaskCommand({
          cluster: target.cluster,
          taskDefinition,
          count: 1,
          ...placement,
          overrides: { containerOverrides: [{ name: target.container, command: [...command] }] },
          startedBy: STARTED_BY,
          propagateTags: "TASK_DEFINITION",
          enableECSManagedTags: true,
          clientToken,
        }),
      ),
    );
    const task = response.tasks?.[0];
    if (!task?.taskArn) {
      const failures = (response.failures ?? []).map((failure) => `${failure.reason ?? "unknown"}${failure.detail ? ` (${failure.detail})` : ""}`);
      return this.result("run", target, "failed", { taskDefinition, image, reason: `RunTask started no task: ${failures.join("; ") || "no reason given"}` });
    }
    this.options.progress(`task ${taskIdOf(task.taskArn)} started from ${shortName(taskDefinition)}: ${command.join(" ")}`);
    return this.waitForTask(target, task.taskArn, taskDefinition, image);
  }

  /** Counts, revision, image, rollout state and the latest events of every target (or one). */
  async status(environment: string, targets: readonly ReleaseTarget[]): Promise<StatusResult> {
    const cluster = targets[0]?.cluster ?? "";
    const services = targets.filter((target) => target.kind === "service");
    const described = new Map<string, Service>();
    for (let index = 0; index < services.length; index += 10) {
      const batch = services.slice(index, index + 10);
      const response = await this.call("DescribeServices", () =>
        this.options.ecs.send(new DescribeServicesCommand({ cluster, services: batch.map((target) => target.service as string) })),
      );
      for (const service of response.services ?? []) described.set(service.serviceName as string, service);
    }
    const images = new Map<string, TaskDefinition | undefined>();
    const describe = async (reference: string) => {
      if (!images.has(reference)) images.set(reference, await this.describeTaskDefinitionIfExists(reference));
      return images.get(reference);
    };
    const results: ServiceStatus[] = [];
    for (const target of targets) {
      if (target.kind === "job") {
        const taskDefinition = await describe(target.family);
        results.push({
          name: target.name,
          kind: "job",
          found: taskDefinition !== undefined,
          taskDefinition: taskDefinition?.taskDefinitionArn,
          revision: taskDefinition?.revision,
          image: imageOf(taskDefinition, target.container),
        });
        continue;
      }
      const service = described.get(target.service as string);
      if (!service || service.status === "INACTIVE") {
        results.push({ name: target.name, kind: "service", found: false, service: target.service });
        continue;
      }
      const primary = primaryOf(service);
      const taskDefinitionArn = primary?.taskDefinition ?? service.taskDefinition;
      const taskDefinition = taskDefinitionArn === undefined ? undefined : await describe(taskDefinitionArn);
      results.push({
        name: target.name,
        kind: "service",
        found: true,
        service: target.service,
        status: service.status,
        running: service.runningCount,
        desired: service.desiredCount,
        pending: service.pendingCount,
        taskDefinition: taskDefinitionArn,
        revision: taskDefinitionArn === undefined ? undefined : revisionOf(taskDefinitionArn),
        image: imageOf(taskDefinition, target.container),
        rolloutState: primary?.rolloutState,
        rolloutStateReason: primary?.rolloutStateReason,
        deployments: service.deployments?.length ?? 0,
        events: (service.events ?? []).slice(0, EVENTS_SHOWN).map((event) => ({ at: event.createdAt?.toISOString(), message: event.message })),
      });
    }
    const missing = results.filter((result) => !result.found).map((result) => result.name);
    return {
      outcome: missing.length === 0 ? "succeeded" : "failed",
      command: "status",
      environment,
      cluster,
      targets: results,
      ...(missing.length > 0 && { reason: `not found in cluster ${cluster}: ${missing.join(", ")} (was the stack applied?)` }),
    };
  }

  /** UpdateService to `taskDefinition` (desiredCount untouched: autoscaling owns it), then follow the deployment it created. */
  private async rollOut(
    command: "deploy" | "rollback",
    target: ReleaseTarget,
    previous: Deployment,
    taskDefinition: string,
    image: string | undefined,
  ): Promise<ReleaseResult> {
    const response = await this.call("UpdateService", () =>
      this.options.ecs.send(new UpdateServiceCommand({ cluster: target.cluster, service: target.service, taskDefinition })),
    );
    const started = (service: Service | undefined) => {
      const primary = service === undefined ? undefined : primaryOf(service);
      return primary?.id !== undefined && primary.id !== previous.id && primary.taskDefinition === taskDefinition ? primary : undefined;
    };
    let mine = started(response.service);
    if (mine === undefined) {
      // The response normally shows the new PRIMARY; look once more before calling the update lost (eventual consistency).
      await this.options.clock.sleep(this.pollDelay(0));
      mine = started(await this.describeService(target));
    }
    if (mine?.id === undefined) {
      throw new ReleaseFailed(`UpdateService did not start a deployment of ${shortName(taskDefinition)} on ${target.service}`);
    }
    const mineId = mine.id;
    this.options.progress(`deployment ${mineId} started: ${shortName(previous.taskDefinition as string)} → ${shortName(taskDefinition)}`);
    const seenEvents = new Set((response.service?.events ?? []).map((event) => event.id));
    const details = { previousTaskDefinition: previous.taskDefinition, taskDefinition, image, deploymentId: mineId };
    let lastState = "";
    for (let poll = 0; ; poll++) {
      const wait = Math.min(this.pollDelay(poll), this.deadline - this.options.clock.now());
      if (wait <= 0) {
        return this.result(command, target, "timed-out", {
          ...details,
          reason: `deployment ${mineId} did not complete within ${this.options.timeoutSeconds} s (last state: ${lastState || "unknown"}); ECS keeps rolling it out, its circuit breaker and alarms still apply`,
        });
      }
      await this.options.clock.sleep(wait);
      const service = await this.describeServiceWhilePolling(target);
      if (service === undefined) continue;
      this.printNewEvents(service, seenEvents);
      const deployment = service.deployments?.find((candidate) => candidate.id === mineId);
      const primary = primaryOf(service);
      if (!deployment || deployment.status !== "PRIMARY") {
        // ECS replaced our deployment: a rollback (back on the previous revision) or someone else's deploy.
        const now = primary?.taskDefinition;
        const rolledBack = now === previous.taskDefinition;
        return this.result(command, target, rolledBack ? "rolled-back" : "failed", {
          ...details,
          rolledBackTo: now,
          ...(rolledBack && { rollbackTrigger: triggerOf(deployment?.rolloutStateReason) }),
          reason: rolledBack
            ? `deployment ${mineId} was rolled back to ${shortName(now as string)}${deployment?.rolloutStateReason ? `: ${deployment.rolloutStateReason}` : ""}`
            : `deployment ${mineId} was superseded by a deployment of ${now === undefined ? "another revision" : shortName(now)}`,
        });
      }
      const state = describeDeployment(deployment);
      if (state !== lastState) this.options.progress(`deployment ${mineId}: ${state}`);
      lastState = state;
      if (deployment.rolloutState === "COMPLETED") return this.result(command, target, "succeeded", details);
      if (deployment.rolloutState === "FAILED") {
        const rollsBack = service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback === true || service.deploymentConfiguration?.alarms?.rollback === true;
        return this.result(command, target, rollsBack ? "rolled-back" : "failed", {
          ...details,
          ...(rollsBack && { rolledBackTo: previous.taskDefinition, rollbackTrigger: triggerOf(deployment.rolloutStateReason) }),
          reason: `deployment ${mineId} failed${rollsBack ? ` and ECS is rolling back to ${shortName(previous.taskDefinition as string)}` : ""}: ${deployment.rolloutStateReason ?? "no reason given"}`,
        });
      }
    }
  }

  private async waitForTask(target: ReleaseTarget, taskArn: string, taskDefinition: string, image: string | undefined): Promise<ReleaseResult> {
    let lastStatus = "";
    for (let poll = 0; ; poll++) {
      const wait = Math.min(this.pollDelay(poll), this.deadline - this.options.clock.now());
      if (wait <= 0) {
        await this.call("StopTask", () =>
          this.options.ecs.send(new StopTaskCommand({ cluster: target.cluster, task: taskArn, reason: `release CLI: timed out after ${this.options.timeoutSeconds} s` })),
        ).catch((error: Error) => this.options.progress(`could not stop task ${taskIdOf(taskArn)}: ${error.name}: ${error.message}`));
        return this.result("run", target, "timed-out", {
          taskDefinition,
          image,
          taskArn,
          reason: `task ${taskIdOf(taskArn)} did not stop within ${this.options.timeoutSeconds} s (last status ${lastStatus || "unknown"}); it was asked to stop`,
        });
      }
      await this.options.clock.sleep(wait);
      let task: Task | undefined;
      try {
        const response = await this.options.ecs.send(new DescribeTasksCommand({ cluster: target.cluster, tasks: [taskArn] }));
        // Right after RunTask the task may not be visible yet (eventual consistency): poll again.
        task = response.tasks?.[0];
      } catch (error) {
        if (!isTransient(error)) throw error;
        this.options.progress(`DescribeTasks: ${errorLabel(error)}, polling again`);
        continue;
      }
      if (!task) continue;
      if (task.lastStatus !== lastStatus) this.options.progress(`task ${taskIdOf(taskArn)}: ${task.lastStatus}`);
      lastStatus = task.lastStatus ?? "";
      if (task.lastStatus !== "STOPPED") continue;
      const container = task.containers?.find((candidate) => candidate.name === target.container);
      const exitCode = container?.exitCode;
      const succeeded = task.stopCode === "EssentialContainerExited" && exitCode === 0;
      const why = [task.stoppedReason, container?.reason].filter((text) => text !== undefined && text !== "").join("; ");
      return this.result("run", target, succeeded ? "succeeded" : "failed", {
        taskDefinition,
        image,
        taskArn,
        exitCode,
        stopCode: task.stopCode,
        ...(!succeeded && {
          reason:
            exitCode === undefined
              ? `task ${taskIdOf(taskArn)} stopped without an exit code of container ${target.container} (${task.stopCode ?? "no stop code"}${why ? `: ${why}` : ""})`
              : `container ${target.container} exited with ${exitCode} (${task.stopCode ?? "no stop code"}${why ? `: ${why}` : ""})`,
        }),
      });
    }
  }

  /** The service, checked against the names the config gives it. */
  private async describeService(target: ReleaseTarget): Promise<Service> {
    const response = await this.call("DescribeServices", () =>
      this.options.ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.service as string] })),
    ).catch((error: Error) => {
      if (error.name === "ClusterNotFoundException") {
        throw new ReleaseFailed(`cluster ${target.cluster} does not exist in ${target.region}: was the stack "${target.environment}" applied?`);
      }
      throw error;
    });
    const service = response.services?.[0];
    if (!service || service.status === "INACTIVE") {
      throw new ReleaseFailed(`service ${target.service} not found in cluster ${target.cluster} (${target.region}): was the stack "${target.environment}" applied?`);
    }
    return service;
  }

  /** Polling tolerates transient errors until the deadline; anything else ends the command. */
  private async describeServiceWhilePolling(target: ReleaseTarget): Promise<Service | undefined> {
    try {
      const response = await this.options.ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.service as string] }));
      return response.services?.[0];
    } catch (error) {
      if (!isTransient(error)) throw error;
      this.options.progress(`DescribeServices: ${errorLabel(error)}, polling again`);
      return undefined;
    }
  }

  /** The PRIMARY deployment of a service no one else is deploying; refuses otherwise (never two rollouts, never roll back twice). */
  private idlePrimary(service: Service, command: "deploy" | "rollback"): Deployment {
    const controller = service.deploymentController?.type ?? "ECS";
    if (controller !== "ECS") {
      throw new ReleaseFailed(`service ${service.serviceName} uses the ${controller} deployment controller; the release command follows rolling (ECS) deployments only`);
    }
    const primary = primaryOf(service);
    if (!primary?.taskDefinition) throw new ReleaseFailed(`service ${service.serviceName} has no PRIMARY deployment`);
    const others = (service.deployments ?? []).filter((deployment) => deployment.id !== primary.id);
    if (others.length > 0 || primary.rolloutState === "IN_PROGRESS") {
      throw new ReleaseFailed(
        `service ${service.serviceName} is already rolling out deployment ${primary.id} (${shortName(primary.taskDefinition)}, ${primary.rolloutState ?? "state unknown"}` +
          `${others.length > 0 ? `, ${others.length} older deployment(s) still draining` : ""}): not starting a ${command}; wait for it (npm run release -- status)`,
      );
    }
    return primary;
  }

  private async describeTaskDefinition(reference: string, target: ReleaseTarget) {
    const response = await this.call("DescribeTaskDefinition", () =>
      this.options.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference, include: ["TAGS"] })),
    ).catch((error: Error) => {
      if (error.name === "ClientException") {
        throw new ReleaseFailed(`task definition ${reference} of ${target.name} not found (${error.message}): was the stack "${target.environment}" applied?`);
      }
      throw error;
    });
    if (!response.taskDefinition) throw new ReleaseFailed(`DescribeTaskDefinition returned nothing for ${reference}`);
    return { taskDefinition: response.taskDefinition, tags: response.tags };
  }

  private async describeTaskDefinitionIfExists(reference: string): Promise<TaskDefinition | undefined> {
    try {
      const response = await this.call("DescribeTaskDefinition", () => this.options.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference })));
      return response.taskDefinition;
    } catch (error) {
      if ((error as Error).name === "ClientException") return undefined;
      throw error;
    }
  }

  private async register(current: TaskDefinition, tags: Parameters<typeof revisionWithImage>[1], target: ReleaseTarget, image: string): Promise<string> {
    let input;
    try {
      input = revisionWithImage(current, tags, target.container, image);
    } catch (error) {
      if (error instanceof TaskDefinitionMismatch) throw new ReleaseFailed(error.message);
      throw error;
    }
    if (input.family !== target.family) {
      throw new ReleaseFailed(`${target.name} runs ${shortName(current.taskDefinitionArn as string)}, not a revision of ${target.family}: the live service differs from the config`);
    }
    const response = await this.call("RegisterTaskDefinition", () => this.options.ecs.send(new RegisterTaskDefinitionCommand(input)));
    const arn = response.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new ReleaseFailed("RegisterTaskDefinition returned no task definition");
    this.options.progress(`registered ${shortName(arn)} (from ${shortName(current.taskDefinitionArn as string)}, ${target.container} → ${image})`);
    return arn;
  }

  /** The newest ACTIVE revision of `family` older than `current`, paging through ListTaskDefinitions newest first. */
  private async previousRevision(family: string, current: string): Promise<string | undefined> {
    const currentRevision = revisionOf(current);
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.call("ListTaskDefinitions", () =>
        this.options.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: "ACTIVE", sort: "DESC", maxResults: 100, nextToken: token })),
      );
      // familyPrefix is a prefix: acme-api-api-production also lists acme-api-api-production-v2.
      const older = (page.taskDefinitionArns ?? []).find((arn) => shortName(arn).startsWith(`${family}:`) && revisionOf(arn) < currentRevision);
      if (older !== undefined) return older;
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return undefined;
  }

  private call<T>(what: string, call: () => Promise<T>): Promise<T> {
    return withRetry(what, call, { clock: this.options.clock, deadline: this.deadline, onRetry: this.options.progress });
  }

  private pollDelay(poll: number): number {
    return this.pollSeconds[Math.min(poll, this.pollSeconds.length - 1)] * 1000;
  }

  private printNewEvents(service: Service, seen: Set<string | undefined>): void {
    const fresh = (service.events ?? []).filter((event) => !seen.has(event.id));
    for (const event of fresh.reverse()) {
      seen.add(event.id);
      this.options.progress(`event: ${event.message}`);
    }
  }

  private result(command: ReleaseResult["command"], target: ReleaseTarget, outcome: Outcome, details: Partial<ReleaseResult>): ReleaseResult {
    return {
      outcome,
      command,
      environment: target.environment,
      target: target.name,
      kind: target.kind,
      cluster: target.cluster,
      ...(target.service !== undefined && { service: target.service }),
      family: target.family,
      ...details,
      elapsedSeconds: Math.round((this.options.clock.now() - this.started) / 1000),
    };
  }
}

function primaryOf(service: Service): Deployment | undefined {
  return service.deployments?.find((deployment) => deployment.status === "PRIMARY");
}

function describeDeployment(deployment: Deployment): string {
  const failed = deployment.failedTasks ? `, ${deployment.failedTasks} failed` : "";
  return `${deployment.rolloutState ?? "state unknown"}, ${deployment.runningCount ?? 0}/${deployment.desiredCount ?? 0} running, ${deployment.pendingCount ?? 0} pending${failed}`;
}

/** Informational only: ECS's reason text says which mechanism rolled the deployment back. */
function triggerOf(reason: string | undefined): ReleaseResult["rollbackTrigger"] {
  if (reason === undefined) return "unknown";
  if (/alarm/i.test(reason)) return "alarm";
  if (/circuit breaker/i.test(reason)) return "circuit-breaker";
  return "unknown";
}

function taskIdOf(taskArn: string): string {
  return taskArn.split("/").pop() as string;
}
