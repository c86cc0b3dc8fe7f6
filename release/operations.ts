import { randomUUID } from "node:crypto";
import {
  DeregisterTaskDefinitionCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopServiceDeploymentCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type Deployment,
  type ECSClient,
  type RunTaskCommandInput,
  type Service,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  type Tag,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { errorLabel, isTransient, withRetry, type Clock } from "./retry";
import {
  briefOfDeployment,
  describeServiceDeployment,
  newestFirst,
  ONGOING_STATUSES,
  verdictOf,
  type DeploymentVerdict,
  type RollbackTrigger,
} from "./service-deployments";
import type { ReleaseTarget } from "./targets";
import { imageOf, revisionOf, revisionWithImage, shortName, TaskDefinitionMismatch } from "./task-definition";

/** How a command ended: only `succeeded` exits 0. `cancelled`: SIGINT/SIGTERM. */
export type Outcome = "succeeded" | "failed" | "rolled-back" | "timed-out" | "cancelled";

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
  /** Rollback: the earlier release whose definition and image were deployed again. */
  readonly restoredFrom?: string;
  /** The deployment the UpdateService call created (services). */
  readonly deploymentId?: string;
  /** Its record in ECS's service-deployment history. */
  readonly serviceDeploymentArn?: string;
  /** The last lifecycle stage seen. */
  readonly lifecycleStage?: string;
  /** Where ECS took the service when it rolled the deployment back. */
  readonly rolledBackTo?: string;
  /** What triggered the rollback. */
  readonly rollbackTrigger?: RollbackTrigger;
  /** Revisions retired (deregistered) so that no job or deploy starts them: failed candidates, one-off revisions. */
  readonly deregistered?: readonly string[];
  /** Timed out or cancelled: what ECS goes on doing without the CLI, and how to follow or stop it. */
  readonly ecsContinues?: string;
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
  /** The deployment ECS is working on, with its lifecycle stage. */
  readonly inProgress?: { readonly serviceDeploymentArn?: string; readonly status?: string; readonly lifecycleStage?: string; readonly summary: string };
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
  /**
   * Aborted on SIGINT/SIGTERM: the command stops waiting, stops a task it started, and reports.
   * @default - never cancelled
   */
  readonly signal?: AbortSignal;
}

/** A failure the CLI reports as outcome `failed` (exit 1) with this message, without a stack trace. */
export class ReleaseFailed extends Error {}

/** SIGINT/SIGTERM arrived before the command got to wait for anything: nothing was changed after it. */
export class ReleaseCancelled extends Error {}

const STARTED_BY = "release-cli";
/**
 * Tag on every revision the release tool registers (value: the command): only those are ever retired, never
 * Terraform's own revision of the released family, which Terraform would register again once it is INACTIVE.
 */
export const REGISTERED_BY_TAG = "platform:registered-by";
const EVENTS_SHOWN = 3;
/** Polls without a service-deployment record after which a COMPLETED rolling deployment counts (ECS keeps no record of it). */
const RECORD_LOOKUPS = 3;
/** ECS's history is kept 90 days; 5 pages of 100 deployments are plenty to find the previous release. */
const HISTORY_PAGES = 5;

interface Described {
  readonly taskDefinition: TaskDefinition;
  readonly tags?: Tag[];
}

/**
 * deploy, rollback, run and status against the live ECS API, for targets named from the config.
 * A release is Terraform's latest revision of the config family plus an image, registered in the released family,
 * whose latest ACTIVE revision is always the current release (what scheduled jobs start). Every call is retried on
 * throttling and transient errors inside the command's deadline.
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

  /**
   * A new release: the config family's latest revision with `image` (or the image running now), registered in the
   * released family. Services roll it out and follow the deployment; a deployment that does not succeed has its
   * revision deregistered. Jobs start it from their next run.
   */
  async deploy(target: ReleaseTarget, image: string | undefined): Promise<ReleaseResult> {
    if (target.kind === "job") {
      const current = await this.describeTaskDefinition(target.family, target);
      const config = await this.describeConfig(target);
      const chosen = image ?? runningImage(current, target);
      const registered = await this.register(config, target, chosen, target.family, "deploy");
      this.options.progress(`the schedule runs ${shortName(registered)} from its next run (the latest ACTIVE revision of ${target.family})`);
      return this.result("deploy", target, "succeeded", { previousTaskDefinition: current.taskDefinition.taskDefinitionArn, taskDefinition: registered, image: chosen });
    }
    const service = await this.describeService(target);
    const primary = await this.idlePrimary(service, target, "deploy");
    const running = await this.describeTaskDefinition(primary.taskDefinition as string, target);
    const chosen = image ?? runningImage(running, target);
    const config = await this.describeConfig(target);
    const retired = await this.retireAbandoned(target, primary.taskDefinition as string);
    const registered = await this.register(config, target, chosen, target.family, "deploy");
    const result = await this.rollOutRetiringFailure("deploy", target, primary, registered, chosen);
    return retired.length === 0 ? result : { ...result, deregistered: [...retired, ...(result.deregistered ?? [])] };
  }

  /**
   * During a deployment: stops it with StopServiceDeployment (ROLLBACK) and follows ECS back. Otherwise: deploys
   * again the newest earlier SUCCESSFUL release of ECS's deployment history whose image differs from the running one.
   */
  async rollback(target: ReleaseTarget): Promise<ReleaseResult> {
    const service = await this.describeService(target);
    const ongoing = await this.ongoingDeployments(target);
    if (ongoing.length > 0) return this.stopDeployment(target, service, ongoing[0]);
    const primary = await this.idlePrimary(service, target, "rollback");
    const current = primary.taskDefinition as string;
    if (!shortName(current).startsWith(`${target.family}:`)) {
      throw new ReleaseFailed(`${target.service} runs ${shortName(current)}, not a revision of ${target.family}: the live service differs from the config`);
    }
    const currentImage = imageOf((await this.describeTaskDefinition(current, target)).taskDefinition, target.container);
    const previous = await this.previousRelease(target, current, currentImage);
    const image = imageOf(previous.taskDefinition, target.container) as string;
    const restoredFrom = previous.taskDefinition.taskDefinitionArn as string;
    this.options.progress(`rolling ${target.service} back from ${shortName(current)} (${currentImage ?? "?"}) to the release of ${shortName(restoredFrom)} (${image})`);
    const retired = await this.retireAbandoned(target, current);
    const registered = await this.register(previous, target, image, target.family, "rollback");
    const result = await this.rollOutRetiringFailure("rollback", target, primary, registered, image);
    return { ...result, restoredFrom, ...(retired.length > 0 && { deregistered: [...retired, ...(result.deregistered ?? [])] }) };
  }

  /**
   * A one-off task with `command` on the main container; its exit code decides. Without `image` it runs the current
   * release; with one, the config's latest revision with that image, registered in the one-off family (which nothing
   * else starts) and deregistered when the task is done.
   */
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
      placement =
        target.placement && "capacityProviderStrategy" in target.placement
          ? { capacityProviderStrategy: target.placement.capacityProviderStrategy.map((item) => ({ ...item })) }
          : { launchType: "EC2" };
    }
    let taskDefinition: string;
    if (image !== undefined) {
      taskDefinition = await this.register(await this.describeConfig(target), target, image, target.oneOffFamily, "run");
    } else {
      const described = await this.describeTaskDefinition(source, target);
      taskDefinition = described.taskDefinition.taskDefinitionArn as string;
      if (!described.taskDefinition.containerDefinitions?.some((definition) => definition.name === target.container)) {
        throw new ReleaseFailed(`task definition ${shortName(taskDefinition)} has no container "${target.container}"`);
      }
    }
    const oneOff = image === undefined ? [] : [taskDefinition];
    const retireOneOff = async (result: ReleaseResult) => ({ ...result, ...(oneOff.length > 0 && { deregistered: await this.deregister(oneOff, "its one-off task is done") }) });
    // One token for every attempt: a retried RunTask whose first attempt did get through starts no second task.
    const clientToken = randomUUID();
    let response;
    try {
      this.throwIfCancelled();
      response = await this.call("RunTask", () =>
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
    } catch (error) {
      await this.deregister(oneOff, "no task was started");
      throw error;
    }
    const task = response.tasks?.[0];
    if (!task?.taskArn) {
      const failures = (response.failures ?? []).map((failure) => `${failure.reason ?? "unknown"}${failure.detail ? ` (${failure.detail})` : ""}`);
      return retireOneOff(this.result("run", target, "failed", { taskDefinition, image, reason: `RunTask started no task: ${failures.join("; ") || "no reason given"}` }));
    }
    this.options.progress(`task ${taskIdOf(task.taskArn)} started from ${shortName(taskDefinition)}: ${command.join(" ")}`);
    return retireOneOff(await this.waitForTask(target, task.taskArn, taskDefinition, image));
  }

  /** Counts, revision, image, rollout state, the stage of a deployment in progress and the latest events. */
  async status(environment: string, targets: readonly ReleaseTarget[]): Promise<StatusResult> {
    const cluster = targets[0]?.cluster ?? "";
    const services = targets.filter((target) => target.kind === "service");
    const described = new Map<string, Service>();
    try {
      for (let index = 0; index < services.length; index += 10) {
        const batch = services.slice(index, index + 10);
        const response = await this.call("DescribeServices", () =>
          this.options.ecs.send(new DescribeServicesCommand({ cluster, services: batch.map((target) => target.service as string) })),
        );
        for (const service of response.services ?? []) described.set(service.serviceName as string, service);
      }
    } catch (error) {
      if ((error as Error).name !== "ClusterNotFoundException") throw error;
      return {
        outcome: "failed",
        command: "status",
        environment,
        cluster,
        targets: targets.map((target) => ({ name: target.name, kind: target.kind, found: false, service: target.service })),
        reason: `cluster ${cluster} does not exist in ${targets[0].region}: the stack "${environment}" was never applied (cdktf deploy ${environment}) or was destroyed`,
      };
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
      const inProgress = await this.inProgressSummary(target);
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
        ...(inProgress && { inProgress }),
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

  /** rollOut, and a candidate revision that did not become the release is deregistered: nothing starts it afterwards. */
  private async rollOutRetiringFailure(command: "deploy" | "rollback", target: ReleaseTarget, previous: Deployment, taskDefinition: string, image: string): Promise<ReleaseResult> {
    let result: ReleaseResult;
    try {
      result = await this.rollOut(command, target, previous, taskDefinition, image);
    } catch (error) {
      await this.deregister([taskDefinition], `${command} did not start`);
      throw error;
    }
    if (result.outcome !== "rolled-back" && result.outcome !== "failed") return result;
    return { ...result, deregistered: await this.deregister([taskDefinition], `its ${command} did not succeed`) };
  }

  /** UpdateService to `taskDefinition` (desiredCount untouched: autoscaling owns it), then follow the deployment it created. */
  private async rollOut(command: "deploy" | "rollback", target: ReleaseTarget, previous: Deployment, taskDefinition: string, image: string): Promise<ReleaseResult> {
    this.throwIfCancelled();
    const startedAt = this.options.clock.now();
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
      await this.options.clock.sleep(this.pollDelay(0), this.options.signal);
      mine = started(await this.describeService(target));
    }
    if (mine?.id === undefined) {
      throw new ReleaseFailed(`UpdateService did not start a deployment of ${shortName(taskDefinition)} on ${target.service}`);
    }
    const mineId = mine.id;
    this.options.progress(`deployment ${mineId} started: ${shortName(previous.taskDefinition as string)} → ${shortName(taskDefinition)}`);
    const seenEvents = new Set((response.service?.events ?? []).map((event) => event.id));
    let details: Partial<ReleaseResult> = { previousTaskDefinition: previous.taskDefinition, taskDefinition, image, deploymentId: mineId };
    let lastState = "";
    let lookups = 0;
    for (let poll = 0; ; poll++) {
      const wait = Math.min(this.pollDelay(poll), this.deadline - this.options.clock.now());
      if (wait <= 0) {
        return this.result(command, target, "timed-out", {
          ...details,
          reason: `deployment ${mineId} did not complete within ${this.options.timeoutSeconds} s (last state: ${lastState || "unknown"})`,
          ecsContinues: this.stillDeploying(target, mineId),
        });
      }
      try {
        await this.sleep(wait);
      } catch (error) {
        if (!(error instanceof ReleaseCancelled)) throw error;
        return this.result(command, target, "cancelled", {
          ...details,
          reason: `cancelled while deployment ${mineId} was ${lastState || "starting"}`,
          ecsContinues: this.stillDeploying(target, mineId),
        });
      }
      const service = await this.describeServiceWhilePolling(target);
      if (service !== undefined) this.printNewEvents(service, seenEvents);
      if (details.serviceDeploymentArn === undefined) {
        lookups++;
        const brief = await this.findServiceDeployment(target, mineId, startedAt);
        if (brief?.serviceDeploymentArn !== undefined) {
          details = { ...details, serviceDeploymentArn: brief.serviceDeploymentArn };
          this.options.progress(`following service deployment ${brief.serviceDeploymentArn}`);
        }
      }
      if (details.serviceDeploymentArn !== undefined) {
        const record = await this.describeServiceDeploymentWhilePolling(details.serviceDeploymentArn);
        if (record === undefined) continue;
        const state = describeServiceDeployment(record);
        if (state !== lastState) this.options.progress(`deployment ${mineId}: ${state}`);
        lastState = state;
        details = { ...details, ...(record.lifecycleStage !== undefined && { lifecycleStage: record.lifecycleStage }) };
        const verdict = verdictOf(record);
        if (verdict !== undefined) return this.verdictResult(command, target, verdict, details, previous, mineId);
        continue;
      }
      if (service === undefined) continue;
      // No service-deployment record (yet): judge by the service's deployments, like ECS's rolling controller shows them.
      const deployment = service.deployments?.find((candidate) => candidate.id === mineId);
      const primary = primaryOf(service);
      if (!deployment || deployment.status !== "PRIMARY") {
        // ECS replaced our deployment: a rollback (back on the previous revision) or someone else's deploy.
        const now = primary?.taskDefinition;
        const rolledBack = now === previous.taskDefinition;
        return this.result(command, target, rolledBack ? "rolled-back" : "failed", {
          ...details,
          rolledBackTo: now,
          ...(rolledBack && { rollbackTrigger: triggerOfReason(deployment?.rolloutStateReason) }),
          reason: rolledBack
            ? `deployment ${mineId} was rolled back to ${shortName(now as string)}${deployment?.rolloutStateReason ? `: ${deployment.rolloutStateReason}` : ""}`
            : `deployment ${mineId} was superseded by a deployment of ${now === undefined ? "another revision" : shortName(now)}`,
        });
      }
      const state = describeDeployment(deployment);
      if (state !== lastState) this.options.progress(`deployment ${mineId}: ${state}`);
      lastState = state;
      // COMPLETED in deployments[] can come before the bake time ends: success needs the record, unless it stays missing.
      if (deployment.rolloutState === "COMPLETED" && lookups >= RECORD_LOOKUPS) return this.result(command, target, "succeeded", details);
      if (deployment.rolloutState === "FAILED") {
        const rollsBack = service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback === true || service.deploymentConfiguration?.alarms?.rollback === true;
        return this.result(command, target, rollsBack ? "rolled-back" : "failed", {
          ...details,
          ...(rollsBack && { rolledBackTo: previous.taskDefinition, rollbackTrigger: triggerOfReason(deployment.rolloutStateReason) }),
          reason: `deployment ${mineId} failed${rollsBack ? ` and ECS is rolling back to ${shortName(previous.taskDefinition as string)}` : ""}: ${deployment.rolloutStateReason ?? "no reason given"}`,
        });
      }
    }
  }

  private verdictResult(
    command: "deploy" | "rollback",
    target: ReleaseTarget,
    verdict: DeploymentVerdict,
    details: Partial<ReleaseResult>,
    previous: Deployment,
    mineId: string,
  ): ReleaseResult {
    switch (verdict.outcome) {
      case "succeeded":
        return this.result(command, target, "succeeded", details);
      case "rolled-back":
        return this.result(command, target, "rolled-back", {
          ...details,
          rolledBackTo: previous.taskDefinition,
          rollbackTrigger: verdict.trigger,
          reason: `deployment ${mineId} was rolled back to ${shortName(previous.taskDefinition as string)}: ${verdict.reason}`,
        });
      case "failed":
        return this.result(command, target, "failed", { ...details, reason: `deployment ${mineId}: ${verdict.reason}` });
    }
  }

  /** Rollback during a deployment: StopServiceDeployment (ROLLBACK), then ECS is followed back to the previous release. */
  private async stopDeployment(target: ReleaseTarget, service: Service, brief: ServiceDeploymentBrief): Promise<ReleaseResult> {
    const arn = brief.serviceDeploymentArn as string;
    if (brief.status === "ROLLBACK_REQUESTED" || brief.status === "ROLLBACK_IN_PROGRESS") {
      throw new ReleaseFailed(`ECS is already rolling back service deployment ${arn} (${brief.status}): not rolling back twice; follow it with npm run release -- status ${target.environment} ${target.name}`);
    }
    const candidate = (await this.serviceRevisions([brief.targetServiceRevisionArn as string]))[0];
    this.options.progress(`stopping service deployment ${arn} of ${candidate ? shortName(candidate) : "?"} with a rollback`);
    await this.call("StopServiceDeployment", () => this.options.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ROLLBACK" })));
    let lastState = "";
    let details: Partial<ReleaseResult> = { serviceDeploymentArn: arn, previousTaskDefinition: candidate ?? primaryOf(service)?.taskDefinition };
    for (let poll = 0; ; poll++) {
      const wait = Math.min(this.pollDelay(poll), this.deadline - this.options.clock.now());
      if (wait <= 0) {
        return this.result("rollback", target, "timed-out", { ...details, reason: `the rollback of ${arn} did not finish within ${this.options.timeoutSeconds} s (last state: ${lastState || "unknown"})`, ecsContinues: this.stillDeploying(target, arn) });
      }
      try {
        await this.sleep(wait);
      } catch (error) {
        if (!(error instanceof ReleaseCancelled)) throw error;
        return this.result("rollback", target, "cancelled", { ...details, reason: `cancelled while ECS rolls back ${arn}`, ecsContinues: this.stillDeploying(target, arn) });
      }
      const record = await this.describeServiceDeploymentWhilePolling(arn);
      if (record === undefined) continue;
      const state = describeServiceDeployment(record);
      if (state !== lastState) this.options.progress(`service deployment ${arn}: ${state}`);
      lastState = state;
      details = { ...details, ...(record.lifecycleStage !== undefined && { lifecycleStage: record.lifecycleStage }) };
      if (record.status === "ROLLBACK_SUCCESSFUL" || record.status === "STOPPED") {
        const restored = record.rollback?.serviceRevisionArn ?? record.sourceServiceRevisions?.[0]?.arn;
        const taskDefinition = restored === undefined ? undefined : (await this.serviceRevisions([restored]))[0];
        const image = taskDefinition === undefined ? undefined : imageOf((await this.describeTaskDefinition(taskDefinition, target)).taskDefinition, target.container);
        const deregistered = candidate !== undefined && shortName(candidate).startsWith(`${target.family}:`) ? await this.deregister([candidate], "its deployment was stopped") : [];
        return this.result("rollback", target, "succeeded", { ...details, taskDefinition, image, deregistered });
      }
      if (record.status === "ROLLBACK_FAILED" || record.status === "SUCCESSFUL") {
        return this.result("rollback", target, "failed", { ...details, reason: `service deployment ${arn} ended ${record.status}: ${record.statusReason ?? "no reason given"}` });
      }
    }
  }

  private async waitForTask(target: ReleaseTarget, taskArn: string, taskDefinition: string, image: string | undefined): Promise<ReleaseResult> {
    let lastStatus = "";
    const stop = (reason: string) =>
      this.call("StopTask", () => this.options.ecs.send(new StopTaskCommand({ cluster: target.cluster, task: taskArn, reason })), { cancellable: false }).catch((error: Error) =>
        this.options.progress(`could not stop task ${taskIdOf(taskArn)}: ${error.name}: ${error.message}`),
      );
    for (let poll = 0; ; poll++) {
      const wait = Math.min(this.pollDelay(poll), this.deadline - this.options.clock.now());
      if (wait <= 0) {
        await stop(`release CLI: timed out after ${this.options.timeoutSeconds} s`);
        return this.result("run", target, "timed-out", {
          taskDefinition,
          image,
          taskArn,
          reason: `task ${taskIdOf(taskArn)} did not stop within ${this.options.timeoutSeconds} s (last status ${lastStatus || "unknown"}); it was asked to stop`,
        });
      }
      try {
        await this.sleep(wait);
      } catch (error) {
        if (!(error instanceof ReleaseCancelled)) throw error;
        await stop("release CLI: cancelled");
        return this.result("run", target, "cancelled", {
          taskDefinition,
          image,
          taskArn,
          reason: `cancelled: task ${taskIdOf(taskArn)} (last status ${lastStatus || "unknown"}) was asked to stop; run the command again to start it anew`,
        });
      }
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

  private async describeServiceDeploymentWhilePolling(arn: string): Promise<ServiceDeployment | undefined> {
    try {
      const response = await this.options.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
      return response?.serviceDeployments?.[0];
    } catch (error) {
      if (!isTransient(error)) throw error;
      this.options.progress(`DescribeServiceDeployments: ${errorLabel(error)}, polling again`);
      return undefined;
    }
  }

  /** The service-deployment record of deployment `id`, created after `startedAt` (a minute of clock skew allowed). */
  private async findServiceDeployment(target: ReleaseTarget, id: string, startedAt: number): Promise<ServiceDeploymentBrief | undefined> {
    try {
      const response = await this.options.ecs.send(
        new ListServiceDeploymentsCommand({ cluster: target.cluster, service: target.service, createdAt: { after: new Date(startedAt - 60_000) } }),
      );
      return briefOfDeployment(response?.serviceDeployments ?? [], id);
    } catch (error) {
      if (!isTransient(error)) throw error;
      this.options.progress(`ListServiceDeployments: ${errorLabel(error)}, polling again`);
      return undefined;
    }
  }

  /** Deployments ECS is still working on, newest first. */
  private async ongoingDeployments(target: ReleaseTarget): Promise<ServiceDeploymentBrief[]> {
    const response = await this.call("ListServiceDeployments", () =>
      this.options.ecs.send(new ListServiceDeploymentsCommand({ cluster: target.cluster, service: target.service, status: ONGOING_STATUSES })),
    );
    return newestFirst(response?.serviceDeployments ?? []);
  }

  private async inProgressSummary(target: ReleaseTarget): Promise<ServiceStatus["inProgress"]> {
    const [brief] = await this.ongoingDeployments(target);
    if (brief?.serviceDeploymentArn === undefined) return undefined;
    const response = await this.call("DescribeServiceDeployments", () =>
      this.options.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [brief.serviceDeploymentArn as string] })),
    );
    const record = response?.serviceDeployments?.[0] ?? { ...brief };
    return { serviceDeploymentArn: brief.serviceDeploymentArn, status: record.status, lifecycleStage: (record as ServiceDeployment).lifecycleStage, summary: describeServiceDeployment(record) };
  }

  /** Task definitions of service revisions, in the order asked (at most 20 per call). */
  private async serviceRevisions(arns: readonly string[]): Promise<Array<string | undefined>> {
    const found = new Map<string, string | undefined>();
    for (let index = 0; index < arns.length; index += 20) {
      const batch = arns.slice(index, index + 20);
      const response = await this.call("DescribeServiceRevisions", () => this.options.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch })));
      for (const revision of response?.serviceRevisions ?? []) found.set(revision.serviceRevisionArn as string, revision.taskDefinition);
    }
    return arns.map((arn) => found.get(arn));
  }

  /**
   * The release before the running one: the newest SUCCESSFUL deployment in ECS's history whose task definition is
   * not the running one and whose image differs from the running image (a redeploy of the same build is no step back).
   */
  private async previousRelease(target: ReleaseTarget, current: string, currentImage: string | undefined): Promise<Described> {
    const briefs: ServiceDeploymentBrief[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < HISTORY_PAGES && (page === 0 || nextToken !== undefined); page++) {
      const token = nextToken;
      const response = await this.call("ListServiceDeployments", () =>
        this.options.ecs.send(new ListServiceDeploymentsCommand({ cluster: target.cluster, service: target.service, status: ["SUCCESSFUL"], maxResults: 100, nextToken: token })),
      );
      briefs.push(...(response?.serviceDeployments ?? []));
      nextToken = response?.nextToken;
    }
    const history = newestFirst(briefs.filter((brief) => brief.status === "SUCCESSFUL" && brief.targetServiceRevisionArn !== undefined));
    const taskDefinitions = await this.serviceRevisions(history.map((brief) => brief.targetServiceRevisionArn as string));
    const skipped: string[] = [];
    for (const taskDefinition of new Set(taskDefinitions)) {
      if (taskDefinition === undefined || taskDefinition === current) continue;
      const described = await this.describeTaskDefinition(taskDefinition, target);
      const image = imageOf(described.taskDefinition, target.container);
      if (image !== undefined && image !== currentImage) return described;
      skipped.push(shortName(taskDefinition));
    }
    throw new ReleaseFailed(
      `no earlier successful release of ${target.service} with an image other than ${currentImage ?? "?"} in ECS's deployment history (the last 90 days)` +
        (skipped.length > 0 ? `; skipped ${skipped.join(", ")} (same image)` : ""),
    );
  }

  /**
   * The PRIMARY deployment of a service no one else is deploying; refuses otherwise (never two rollouts, never roll
   * back twice). Both ECS's service-deployment record and the service's deployments must be idle.
   */
  private async idlePrimary(service: Service, target: ReleaseTarget, command: "deploy" | "rollback"): Promise<Deployment> {
    const controller = service.deploymentController?.type ?? "ECS";
    if (controller !== "ECS") {
      throw new ReleaseFailed(`service ${service.serviceName} uses the ${controller} deployment controller; the release command follows ECS-controlled deployments only`);
    }
    const primary = primaryOf(service);
    if (!primary?.taskDefinition) throw new ReleaseFailed(`service ${service.serviceName} has no PRIMARY deployment`);
    const others = (service.deployments ?? []).filter((deployment) => deployment.id !== primary.id);
    const ongoing = command === "deploy" ? await this.ongoingDeployments(target) : [];
    if (others.length > 0 || primary.rolloutState === "IN_PROGRESS" || ongoing.length > 0) {
      const stage = ongoing[0] === undefined ? "" : `, service deployment ${ongoing[0].status}`;
      throw new ReleaseFailed(
        `service ${service.serviceName} is already rolling out deployment ${primary.id} (${shortName(primary.taskDefinition)}, ${primary.rolloutState ?? "state unknown"}${stage}` +
          `${others.length > 0 ? `, ${others.length} older deployment(s) still draining` : ""}): not starting a ${command}; wait for it (npm run release -- status ${target.environment} ${target.name}) or stop it (npm run release -- rollback ${target.environment} ${target.name})`,
      );
    }
    return primary;
  }

  /**
   * Revisions of the released family newer than the running one, while nothing deploys: candidates of deploys that
   * were cancelled or did not succeed. Deregistered, so that jobs (which start the latest ACTIVE revision) run the release.
   */
  private async retireAbandoned(target: ReleaseTarget, running: string): Promise<string[]> {
    const page = await this.call("ListTaskDefinitions", () =>
      this.options.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: target.family, status: "ACTIVE", sort: "DESC", maxResults: 100 })),
    );
    // familyPrefix is a prefix: acme-api-api-production also lists acme-api-api-production_run.
    const newer = (page?.taskDefinitionArns ?? []).filter((arn) => shortName(arn).startsWith(`${target.family}:`) && revisionOf(arn) > revisionOf(running));
    const ours: string[] = [];
    for (const arn of newer) {
      const { tags } = await this.describeTaskDefinition(arn, target);
      if ((tags ?? []).some((tag) => tag.key === REGISTERED_BY_TAG)) ours.push(arn);
      else this.options.progress(`left ${shortName(arn)} alone: newer than the running release but not registered by a release (Terraform's); the next release supersedes it`);
    }
    return this.deregister(ours, "it is newer than the running release but was never released");
  }

  private async deregister(arns: readonly string[], why: string): Promise<string[]> {
    const done: string[] = [];
    for (const arn of arns) {
      try {
        await this.call("DeregisterTaskDefinition", () => this.options.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })));
        this.options.progress(`deregistered ${shortName(arn)}: ${why}`);
        done.push(arn);
      } catch (error) {
        this.options.progress(`could not deregister ${shortName(arn)} (${errorLabel(error)}); the next deploy retires it`);
      }
    }
    return done;
  }

  private async describeTaskDefinition(reference: string, target: ReleaseTarget): Promise<Described> {
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

  /** Terraform's latest revision of the configuration (the config family's latest ACTIVE revision). */
  private describeConfig(target: ReleaseTarget): Promise<Described> {
    return this.describeTaskDefinition(target.configFamily, target).catch((error: Error) => {
      if (error instanceof ReleaseFailed && error.message.startsWith("task definition")) {
        throw new ReleaseFailed(
          `${target.configFamily}, the configuration a release of ${target.name} is built from, has no ACTIVE revision: apply the stack first (cdktf deploy ${target.environment})`,
        );
      }
      throw error;
    });
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

  /** Registers `source` with `image` as a revision of `family`, tagged as registered by `command`. */
  private async register(source: Described, target: ReleaseTarget, image: string, family: string, command: "deploy" | "rollback" | "run"): Promise<string> {
    let input;
    try {
      const tags = [...(source.tags ?? []).filter((tag) => tag.key !== REGISTERED_BY_TAG), { key: REGISTERED_BY_TAG, value: command }];
      input = revisionWithImage(source.taskDefinition, tags, target.container, image, family);
    } catch (error) {
      if (error instanceof TaskDefinitionMismatch) throw new ReleaseFailed(error.message);
      throw error;
    }
    this.throwIfCancelled();
    const response = await this.call("RegisterTaskDefinition", () => this.options.ecs.send(new RegisterTaskDefinitionCommand(input)));
    const arn = response.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new ReleaseFailed("RegisterTaskDefinition returned no task definition");
    this.options.progress(`registered ${shortName(arn)} (${shortName(source.taskDefinition.taskDefinitionArn as string)} with ${target.container} → ${image})`);
    return arn;
  }

  private stillDeploying(target: ReleaseTarget, deployment: string): string {
    return (
      `ECS keeps going with ${deployment}: its circuit breaker, alarms and hooks still decide. ` +
      `Follow it: npm run release -- status ${target.environment} ${target.name}; stop it: npm run release -- rollback ${target.environment} ${target.name}`
    );
  }

  /**
   * `call` with retries. A cancel ends the retries: the command then reports itself cancelled, with the error
   * that was being retried. Clean-up after a cancel (stopping the task it started) passes `cancellable: false`
   * and keeps retrying to the deadline.
   */
  private async call<T>(what: string, call: () => Promise<T>, { cancellable = true } = {}): Promise<T> {
    const signal = cancellable ? this.options.signal : undefined;
    try {
      return await withRetry(what, call, { clock: this.options.clock, deadline: this.deadline, onRetry: this.options.progress, signal });
    } catch (error) {
      if (signal?.aborted && isTransient(error)) throw new ReleaseCancelled(`cancelled while retrying ${what} (${errorLabel(error)})`);
      throw error;
    }
  }

  private throwIfCancelled(): void {
    if (this.options.signal?.aborted) throw new ReleaseCancelled(`cancelled (${String(this.options.signal.reason ?? "signal")}) before anything was changed`);
  }

  /** The clock's sleep, cut short by a cancel. */
  private async sleep(milliseconds: number): Promise<void> {
    this.throwIfCancelled();
    await this.options.clock.sleep(milliseconds, this.options.signal);
    if (this.options.signal?.aborted) throw new ReleaseCancelled("cancelled");
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

/** The image a release without --image keeps: the one running now. */
function runningImage(running: Described, target: ReleaseTarget): string {
  const image = imageOf(running.taskDefinition, target.container);
  if (image === undefined) throw new ReleaseFailed(`${shortName(running.taskDefinition.taskDefinitionArn as string)} has no container "${target.container}": pass --image`);
  return image;
}

function primaryOf(service: Service): Deployment | undefined {
  return service.deployments?.find((deployment) => deployment.status === "PRIMARY");
}

function describeDeployment(deployment: Deployment): string {
  const failed = deployment.failedTasks ? `, ${deployment.failedTasks} failed` : "";
  return `${deployment.rolloutState ?? "state unknown"}, ${deployment.runningCount ?? 0}/${deployment.desiredCount ?? 0} running, ${deployment.pendingCount ?? 0} pending${failed}`;
}

/** Without a service-deployment record: ECS's rolloutStateReason text says which mechanism rolled back (informational). */
function triggerOfReason(reason: string | undefined): RollbackTrigger {
  if (reason === undefined) return "unknown";
  if (/alarm/i.test(reason)) return "alarm";
  if (/circuit breaker/i.test(reason)) return "circuit-breaker";
  return "unknown";
}

function taskIdOf(taskArn: string): string {
  return taskArn.split("/").pop() as string;
}
