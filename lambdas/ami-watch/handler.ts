import { SSMClient } from "@aws-sdk/client-ssm";
import { EC2Client } from "@aws-sdk/client-ec2";
import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { describeImageNames, getCurrentAmis, getRecommendedAmi, type RecommendedAmi } from "./check";
import { loadConfig, type Architecture, type Config, type PoolConfig } from "./config";
import { errorFields, log } from "./log";
import { buildMessage, buildSubject, type OutdatedPool } from "./message";
import { publishMetrics } from "./metrics";
import { startRefresh } from "./refresh";

// Module scope: reused across warm invocations; construction makes no AWS call.
const ssm = new SSMClient({});
const ec2 = new EC2Client({});
const sns = new SNSClient({});
const autoscaling = new AutoScalingClient({});

export interface AmiWatchSummary {
  checkedPools: string[];
  /** Pools that could not be compared (recommended AMI or current AMI lookup failed); see the error logs. */
  failedPools: string[];
  outdatedPools: string[];
  refreshesStarted: { pool: string; instanceRefreshId: string }[];
  messagePublished: boolean;
}

type Outdated = { status: "outdated" } & OutdatedPool;
type PoolResult = { pool: PoolConfig; status: "failed" | "current" } | Outdated;

/** Scheduled (EventBridge) entry point; the event carries nothing it needs. */
export async function handler(): Promise<AmiWatchSummary> {
  const config = readConfig();
  const recommended = await getRecommendedByArchitecture(config.pools);
  const results = await Promise.all(config.pools.map((pool) => checkPool(pool, recommended.get(pool.architecture))));
  const outdated = results.filter((r): r is Outdated => r.status === "outdated");
  if (config.autoRefresh) await refreshOutdated(outdated, config);
  const messagePublished = outdated.length > 0;
  if (messagePublished) await publish(config, outdated);

  const summary: AmiWatchSummary = {
    checkedPools: results.filter((r) => r.status !== "failed").map((r) => r.pool.name),
    failedPools: results.filter((r) => r.status === "failed").map((r) => r.pool.name),
    outdatedPools: outdated.map((o) => o.pool.name),
    refreshesStarted: outdated.flatMap((o) =>
      o.refresh?.status === "started" ? [{ pool: o.pool.name, instanceRefreshId: o.refresh.instanceRefreshId }] : [],
    ),
    messagePublished,
  };
  log("info", "AMI watch finished", { environment: config.environment, ...summary });
  publishMetrics(config.environment, {
    poolsChecked: summary.checkedPools.length,
    poolsOutdated: summary.outdatedPools.length,
    poolsFailed: summary.failedPools.length,
    refreshesStarted: summary.refreshesStarted.length,
  });
  // A watcher that cannot look must not look like one that found nothing: fail the invocation (after reporting
  // what it could) so the function's Errors alarm tells someone.
  if (summary.failedPools.length > 0) {
    throw new Error(`AMI watch could not check pool(s) ${summary.failedPools.join(", ")} of ${config.environment}: see the error logs`);
  }
  return summary;
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    log("error", "invalid configuration", errorFields(err));
    throw err;
  }
}

/** One GetParameter per architecture in use; a failed architecture is simply absent from the map. */
async function getRecommendedByArchitecture(pools: PoolConfig[]): Promise<Map<Architecture, RecommendedAmi>> {
  const architectures = [...new Set(pools.map((p) => p.architecture))];
  const settled = await Promise.allSettled(architectures.map((a) => getRecommendedAmi(ssm, a)));
  const recommended = new Map<Architecture, RecommendedAmi>();
  settled.forEach((result, i) => {
    const architecture = architectures[i] as Architecture;
    if (result.status === "fulfilled") recommended.set(architecture, result.value);
    else log("error", "could not read recommended ECS-optimized AMI", { architecture, ...errorFields(result.reason) });
  });
  return recommended;
}

async function checkPool(pool: PoolConfig, recommended: RecommendedAmi | undefined): Promise<PoolResult> {
  if (!recommended) return { pool, status: "failed" };
  try {
    const current = await getCurrentAmis(ec2, autoscaling, pool);
    const oldAmiIds = current.amiIds.filter((id) => id !== recommended.imageId);
    log("info", "pool checked", { pool: pool.name, current, recommended: recommended.imageId });
    return oldAmiIds.length === 0
      ? { pool, status: "current" }
      : { pool, status: "outdated", source: current.source, oldAmiIds, recommended };
  } catch (err) {
    log("error", "could not read current AMI of pool", { pool: pool.name, ...errorFields(err) });
    return { pool, status: "failed" };
  }
}

/**
 * Pinned pools are left alone on purpose. Pools whose template names the AMI are left to `cdktf deploy`:
 * a refresh would relaunch the same old AMI. That leaves templates resolving the AMI from SSM at launch.
 */
async function refreshOutdated(outdated: OutdatedPool[], config: Config): Promise<void> {
  const refreshable = outdated.filter((o) => !o.pool.pinnedAmiId && o.source === "instances");
  await Promise.all(
    refreshable.map(async (o) => {
      o.refresh = await startRefresh(autoscaling, o.pool, config);
    }),
  );
}

async function publish(config: Config, outdated: OutdatedPool[]): Promise<void> {
  const ids = outdated.flatMap((o) => [...o.oldAmiIds, ...(o.pool.pinnedAmiId ? [o.pool.pinnedAmiId] : [])]);
  const names = await describeImageNames(ec2, [...new Set(ids)]);
  const { MessageId } = await sns.send(
    new PublishCommand({
      TopicArn: config.topicArn,
      Subject: buildSubject(config.environment, outdated.length),
      Message: buildMessage(config, outdated, names),
    }),
  );
  log("info", "AMI update notification published", { MessageId, outdatedPools: outdated.map((o) => o.pool.name) });
}
