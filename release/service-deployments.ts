/**
 * ECS's service-deployment record (ListServiceDeployments / DescribeServiceDeployments): the one source that knows
 * every strategy's lifecycle stage, traffic weights, hooks, bake time and why a deployment was rolled back. Pure
 * functions over the SDK's shapes, so each reading is tested on its own.
 */
import type { ServiceDeployment, ServiceDeploymentBrief, ServiceDeploymentStatus } from "@aws-sdk/client-ecs";

/** Statuses of a deployment ECS is still working on; the rest (SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED) are final. */
export const ONGOING_STATUSES: ServiceDeploymentStatus[] = ["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"];

/** What triggered a rollback, from the monitors ECS reports (never from parsing its reason text). */
export type RollbackTrigger = "alarm" | "circuit-breaker" | "hook" | "manual" | "unknown";

/** How a followed deployment ended, or `undefined` while ECS is still at it. */
export type DeploymentVerdict =
  | { readonly outcome: "succeeded" }
  | { readonly outcome: "rolled-back"; readonly trigger: RollbackTrigger; readonly reason: string }
  | { readonly outcome: "failed"; readonly reason: string };

/**
 * The service deployment an UpdateService created: ECS numbers the service revision like the deployment
 * (`ecs-svc/4242` → `service-revision/<cluster>/<service>/4242`).
 */
export function briefOfDeployment(briefs: readonly ServiceDeploymentBrief[], deploymentId: string): ServiceDeploymentBrief | undefined {
  const number = deploymentId.split("/").pop() as string;
  return briefs.find((brief) => brief.targetServiceRevisionArn?.split("/").pop() === number);
}

/** Why ECS rolled the deployment back: a triggered alarm, the circuit breaker, a failed hook, or a stop request. */
export function triggerOf(deployment: ServiceDeployment): RollbackTrigger {
  if (deployment.alarms?.status === "TRIGGERED") return "alarm";
  if (deployment.deploymentCircuitBreaker?.status === "TRIGGERED") return "circuit-breaker";
  if ((deployment.lifecycleHookDetails ?? []).some((hook) => hook.status === "FAILED" || hook.status === "TIMED_OUT")) return "hook";
  if (/stop/i.test(deployment.rollback?.reason ?? "") || /stop/i.test(deployment.statusReason ?? "")) return "manual";
  return "unknown";
}

/** ECS's own words on a rollback, plus the alarms that fired and the hooks that failed. */
export function rollbackReason(deployment: ServiceDeployment): string {
  const parts = [deployment.rollback?.reason, deployment.statusReason].filter((text): text is string => text !== undefined && text !== "");
  const alarms = deployment.alarms?.triggeredAlarmNames ?? [];
  if (alarms.length > 0) parts.push(`alarms in ALARM: ${alarms.join(", ")}`);
  const breaker = deployment.deploymentCircuitBreaker;
  if (breaker?.status === "TRIGGERED") parts.push(`circuit breaker: ${breaker.failureCount ?? "?"} failed tasks of ${breaker.threshold ?? "?"} allowed`);
  for (const hook of deployment.lifecycleHookDetails ?? []) {
    if (hook.status === "FAILED" || hook.status === "TIMED_OUT") parts.push(`hook ${hook.targetArn ?? hook.hookId ?? "?"} ${hook.status}`);
  }
  return [...new Set(parts)].join("; ") || "no reason given";
}

/**
 * SUCCESSFUL only comes after every stage, hook and the bake time. A rollback is followed to its end: only then is
 * the service back on the previous release (or not: ROLLBACK_FAILED).
 */
export function verdictOf(deployment: ServiceDeployment): DeploymentVerdict | undefined {
  switch (deployment.status) {
    case "SUCCESSFUL":
      return { outcome: "succeeded" };
    case "ROLLBACK_SUCCESSFUL":
      return { outcome: "rolled-back", trigger: triggerOf(deployment), reason: rollbackReason(deployment) };
    case "ROLLBACK_FAILED":
      return { outcome: "failed", reason: `the deployment failed and so did its rollback: ${rollbackReason(deployment)}` };
    case "STOPPED":
      return { outcome: "failed", reason: `the deployment was stopped: ${deployment.statusReason ?? "no reason given"}` };
    default:
      return undefined;
  }
}

/**
 * One line per distinct state: status, lifecycle stage, traffic on the new revision, its tasks, hooks and monitors.
 * Printed when it changes, so every stage and every traffic step shows as it happens.
 */
export function describeServiceDeployment(deployment: ServiceDeployment): string {
  const target = deployment.targetServiceRevision;
  const parts = [`${deployment.status ?? "UNKNOWN"}${deployment.lifecycleStage ? ` ${deployment.lifecycleStage}` : ""}`];
  if (target?.requestedProductionTrafficWeight !== undefined || target?.requestedTestTrafficWeight !== undefined) {
    parts.push(`traffic to the new revision: production ${target.requestedProductionTrafficWeight ?? 0} %, test ${target.requestedTestTrafficWeight ?? 0} %`);
  }
  if (target) parts.push(`${target.runningTaskCount ?? 0}/${target.requestedTaskCount ?? 0} new tasks running, ${target.pendingTaskCount ?? 0} pending`);
  for (const hook of deployment.lifecycleHookDetails ?? []) parts.push(`hook ${hook.targetArn ?? hook.hookId ?? "?"} ${hook.status ?? "?"}`);
  const alarms = deployment.alarms?.triggeredAlarmNames ?? [];
  if (alarms.length > 0) parts.push(`alarms in ALARM: ${alarms.join(", ")}`);
  if (deployment.deploymentCircuitBreaker?.failureCount) {
    parts.push(`${deployment.deploymentCircuitBreaker.failureCount}/${deployment.deploymentCircuitBreaker.threshold ?? "?"} failed tasks`);
  }
  return parts.join("; ");
}

/** Newest first by when they finished (ECS documents no order). */
export function newestFirst(briefs: readonly ServiceDeploymentBrief[]): ServiceDeploymentBrief[] {
  const time = (brief: ServiceDeploymentBrief) => (brief.finishedAt ?? brief.createdAt)?.getTime() ?? 0;
  return [...briefs].sort((a, b) => time(b) - time(a));
}
