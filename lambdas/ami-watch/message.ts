import type { AmiSource, RecommendedAmi } from "./check";
import type { Config, PoolConfig } from "./config";
import type { RefreshOutcome } from "./refresh";

export interface OutdatedPool {
  pool: PoolConfig;
  source: AmiSource;
  /** AMIs in use that are not the recommended one. */
  oldAmiIds: string[];
  recommended: RecommendedAmi;
  refresh?: RefreshOutcome;
}

const SUBJECT_LIMIT = 100; // SNS rejects longer subjects

export function buildSubject(environment: string, outdatedCount: number): string {
  const subject = `[${environment}] ECS-optimized AMI update available (${outdatedCount} ${outdatedCount === 1 ? "pool" : "pools"})`;
  return subject.length <= SUBJECT_LIMIT ? subject : `${subject.slice(0, SUBJECT_LIMIT - 1)}…`;
}

export function buildMessage(config: Config, outdated: OutdatedPool[], names: Map<string, string>): string {
  const label = (id: string): string => (names.has(id) ? `${id} (${names.get(id)})` : id);
  return [
    `Environment: ${config.environment}`,
    `A newer ECS-optimized Amazon Linux 2023 AMI is recommended for ${outdated.length} pool(s):`,
    "",
    ...outdated.flatMap((o) => [...describePool(o, label, config), ""]),
    `To roll the fleet: cdktf deploy ${config.stackName}`,
  ].join("\n");
}

function describePool(o: OutdatedPool, label: (id: string) => string, config: Config): string[] {
  const recommended = o.recommended.imageName ? `${o.recommended.imageId} (${o.recommended.imageName})` : o.recommended.imageId;
  const inUse = o.source === "instances" ? "running" : "launch template";
  return [
    `- pool ${o.pool.name} (ASG ${o.pool.asgName}, ${o.pool.architecture})`,
    `  old AMI (${inUse}): ${o.oldAmiIds.map(label).join(", ")}`,
    `  new AMI (recommended): ${recommended}`,
    `  ${actionLine(o, label, config)}`,
  ];
}

function actionLine(o: OutdatedPool, label: (id: string) => string, config: Config): string {
  if (o.pool.pinnedAmiId) {
    return `pinned to ${label(o.pool.pinnedAmiId)}; newer recommended ${o.recommended.imageId} available, update the pin`;
  }
  if (o.refresh) return refreshLine(o.refresh);
  if (o.source === "instances") {
    // The template itself does not change, so a deploy alone would not replace these instances.
    return `launch template resolves the AMI from SSM at launch; replace instances with an instance refresh: aws autoscaling start-instance-refresh --auto-scaling-group-name ${o.pool.asgName}`;
  }
  return config.autoRefresh
    ? `not refreshed automatically: the launch template names the AMI, so a refresh would relaunch the old one; run cdktf deploy ${config.stackName}`
    : `run cdktf deploy ${config.stackName}`;
}

function refreshLine(refresh: RefreshOutcome): string {
  switch (refresh.status) {
    case "started":
      return `instance refresh started (id ${refresh.instanceRefreshId})`;
    case "already-in-progress":
      return "instance refresh already in progress; not started again";
    case "failed":
      return `instance refresh could NOT be started: ${refresh.error}`;
  }
}
