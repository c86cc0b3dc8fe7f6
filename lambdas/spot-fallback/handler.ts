import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import { SSMClient } from "@aws-sdk/client-ssm";
import { loadConfig, type FallbackConfig } from "./config";
import { decide, type Decision, type Observation } from "./controller";
import { SpotGroupLever } from "./capacity-providers";
import { OnDemandGroupLever } from "./spot-fleet";
import { publishMetrics } from "./metrics";
import { StateStore } from "./state";

// Module scope: reused across warm invocations; construction makes no AWS call.
const clients = { autoscaling: new AutoScalingClient({}), ec2: new EC2Client({}), ssm: new SSMClient({}) };

export interface Clients {
  readonly autoscaling: AutoScalingClient;
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
}

export interface TickResult extends Decision {
  readonly observation: Observation;
  /** The group was changed this tick. */
  readonly applied: boolean;
}

/** Scheduled (EventBridge) entry point; the event carries nothing it needs. */
export async function handler(): Promise<TickResult> {
  return tick(clients, loadConfig(), Date.now());
}

/** One pass of the control loop: observe, decide, act, remember, report. */
export async function tick(aws: Clients, config: FallbackConfig, now: number): Promise<TickResult> {
  // Capacity errors older than the window no longer count; reading a little further back lets a streak's start be seen.
  const lookBackSeconds = config.settings.errorWindowSeconds + config.settings.sustainSeconds;
  const store = new StateStore(aws.ssm, config.stateParameterName);
  const previous = await store.load(config.settings);
  let observation: Observation;
  let apply: (added: number) => Promise<boolean>;
  if (config.capacity.mode === "capacity-providers") {
    const lever = new SpotGroupLever(aws.autoscaling, config.capacity, lookBackSeconds);
    const seen = await lever.observe(now);
    observation = seen;
    apply = (added) => lever.apply(added, seen.baseCapacity);
  } else {
    const lever = new OnDemandGroupLever(aws.autoscaling, aws.ec2, config.capacity, lookBackSeconds);
    const seen = await lever.observe(now);
    observation = seen;
    apply = (added) => lever.apply(added, seen.desiredCapacity);
  }
  const decision = decide(observation, previous, config.settings, now);
  // Also when the level is unchanged: a group found off its level (e.g. a new configured floor) is put back on it.
  const applied = await apply(decision.added);
  if (JSON.stringify(decision.state) !== JSON.stringify(previous)) await store.save(decision.state);

  const fields = {
    clusterName: config.clusterName,
    mode: config.capacity.mode,
    phase: decision.state.phase,
    added: decision.added,
    previouslyAdded: observation.added,
    shortfall: observation.shortfall,
    capacityErrors: observation.capacityErrorTimes.length,
    capped: decision.capped,
    applied,
  };
  for (const event of decision.events) log(event === "fallback-started" || event === "flapped" ? "warn" : "info", `spot fallback: ${event}`, fields);
  if (decision.capped) log("warn", "spot fallback: cost cap reached, Spot capacity still missing", { ...fields, maxAddedInstances: config.settings.maxAddedInstances });
  publishMetrics(
    config.clusterName,
    {
      fallbackActive: decision.state.phase === "fallback" ? 1 : 0,
      onDemandInstancesAdded: decision.added,
      spotShortfall: observation.shortfall,
      fallbackCapped: decision.capped ? 1 : 0,
    },
    now,
  );
  return { ...decision, observation, applied };
}

function log(level: "info" | "warn", msg: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ level, msg, ...fields }));
}
