/**
 * Spot pool advice: what the AWS Spot Instance Advisor data says is risky about an environment's
 * Spot pools, and what to choose instead. One implementation for the synth warnings
 * (stacks/platform-stack.ts) and the report (spot-advisor/report.ts).
 */
import type { EnvironmentConfig } from "../config";
import { instanceArchitecture } from "../config/compute";
import { HIGHEST_INTERRUPTION_INDEX, loadRegionDataset, type SpotDataset } from "./dataset";
import { capacityPools, type CapacityPoolSpec } from "./pools";
import type { SpotAdviceRule } from "./rules";

/** Diversification below this many types leaves a pool exposed to one capacity pool's reclaim. */
export const MIN_INSTANCE_TYPES = 4;

export interface SpotAdvice {
  /** `warn`: act or acknowledge; `info`: acknowledged, or nothing to act on. */
  readonly level: "warn" | "info";
  readonly rule: SpotAdviceRule;
  readonly environment: string;
  /** The pool's name (`spot`, `spot-fleet`), or `capacity.spotAdvice` for an acknowledgement that matches nothing. */
  readonly pool: string;
  readonly type?: string;
  readonly message: string;
  /** The config's reason, when the advice is acknowledged. */
  readonly acknowledged?: string;
  /** What applying the recommended change costs, and how to apply it without an outage. */
  readonly whenApplied?: string;
}

/**
 * What changing a pool's instance types or subnets does when applied. A Spot Fleet's
 * `launch_template_config` is ForceNew (hashicorp/aws 6.25.0): the request is replaced and
 * `terminate_instances_on_delete` takes every instance with it. An ASG's mixed instances policy and
 * subnets change in place.
 */
export const WHEN_APPLIED: Readonly<Record<CapacityPoolSpec["kind"], string>> = {
  "spot-fleet":
    "Applying it REPLACES the Spot Fleet request (launch_template_config cannot change in place): ALL its instances are terminated at once and the new fleet starts from zero. " +
    "Without an outage: first raise capacity.onDemand (minSize and desiredCapacity) until it holds every task, drain the fleet's container instances " +
    "(aws ecs update-container-instances-state --status DRAINING) and wait until their tasks run elsewhere, then apply; lower capacity.onDemand once the new fleet's instances have registered. " +
    "`npm run diff` shows the replacement before you apply.",
  "auto-scaling-group":
    "Applying it changes the Spot group in place (no replacement): instances are replaced gradually (instance refresh for new types, AZ rebalancing for new subnets) " +
    "and managed draining moves their tasks first, so there is no outage.",
};

/** `m7g.large` → `m7`: the family letters and generation digit, without processor or feature suffixes. */
export function familyGeneration(type: string): string {
  const family = type.split(".")[0];
  const match = /^([a-z]+)(\d+)/.exec(family);
  return match ? `${match[1]}${match[2]}` : family;
}

/**
 * Up to `count` types the data rates least interrupted (`<5%`) in `region`: general purpose,
 * compute or memory optimized (c/m/r), same architecture, the same vCPU count as `like` and memory
 * within half to twice its, none of `exclude` and, when `otherFamiliesThan` is given, none of those
 * family-generations. Closest memory first, then newer generation, then larger savings.
 */
export function saferAlternatives(
  dataset: SpotDataset,
  region: string,
  like: string,
  options: { readonly exclude: readonly string[]; readonly otherFamiliesThan?: readonly string[]; readonly count?: number },
): string[] {
  const target = dataset.spec(like);
  if (target === undefined) return [];
  const architecture = instanceArchitecture(like);
  const generation = (type: string) => Number(/\d+/.exec(type)?.[0] ?? 0);
  const candidates: Array<{ type: string; memoryDistance: number; savings: number }> = [];
  // Cheapest tests first: this runs over every type of the region on the synth path.
  for (const type of dataset.regionTypes(region)) {
    const spec = dataset.spec(type);
    if (spec === undefined || spec.vcpu !== target.vcpu || spec.memoryGiB < target.memoryGiB / 2 || spec.memoryGiB > target.memoryGiB * 2) continue;
    if (!/^[cmr]\d/.test(type) || type.includes("metal") || options.exclude.includes(type)) continue;
    const data = dataset.pool(region, type);
    if (data === undefined || data.interruptionIndex !== 0 || instanceArchitecture(type) !== architecture) continue;
    if (options.otherFamiliesThan?.includes(familyGeneration(type))) continue;
    candidates.push({ type, memoryDistance: Math.abs(Math.log(spec.memoryGiB / target.memoryGiB)), savings: data.savingsPercent });
  }
  return candidates
    .sort((a, b) => a.memoryDistance - b.memoryDistance || generation(b.type) - generation(a.type) || b.savings - a.savings || a.type.localeCompare(b.type))
    .slice(0, options.count ?? 3)
    .map(({ type }) => type);
}

/** Every piece of advice for the environment's Spot pools, acknowledged ones as `info`. */
export function adviseSpotPools(config: EnvironmentConfig, dataset: SpotDataset): SpotAdvice[] {
  const raw = capacityPools(config)
    .filter((pool) => pool.purchase === "spot")
    .flatMap((pool) => advisePool(config, pool, dataset));
  return applyAcknowledgements(config, raw);
}

function advisePool(config: EnvironmentConfig, pool: CapacityPoolSpec, dataset: SpotDataset): Omit<SpotAdvice, "level">[] {
  const region = config.region;
  const where = `[${config.environment}] Spot pool ${pool.name} (${pool.configPath}, ${pool.resourceName})`;
  const types = pool.instanceTypes.map((entry) => entry.type);
  const list = (candidates: string[]) => (candidates.length > 0 ? candidates.join(", ") : "(the data has no <5% type of that size here)");
  const weightNote = pool.kind === "spot-fleet" ? " with a weightedCapacity in proportion to their vCPU" : "";
  const known = types.filter((type) => dataset.pool(region, type) !== undefined);
  const reference = known[0] ?? types[0];
  const advice: Omit<SpotAdvice, "level">[] = [];
  const base = { environment: config.environment, pool: pool.name, whenApplied: WHEN_APPLIED[pool.kind] };

  if (types.length < MIN_INSTANCE_TYPES) {
    const add = saferAlternatives(dataset, region, reference, { exclude: types, count: MIN_INSTANCE_TYPES - types.length + 1 });
    advice.push({
      ...base,
      rule: "few-instance-types",
      message: `${where} lists ${types.length} instance type(s) (${types.join(", ")}); Spot needs at least ${MIN_INSTANCE_TYPES} so one reclaimed capacity pool cannot take it all. Add e.g. ${list(add)}${weightNote}.`,
    });
  }
  const families = [...new Set(types.map(familyGeneration))];
  if (families.length === 1) {
    const other = saferAlternatives(dataset, region, reference, { exclude: types, otherFamiliesThan: families });
    advice.push({
      ...base,
      rule: "single-family",
      message: `${where}: every type (${types.join(", ")}) is ${families[0]}, so they share capacity and get reclaimed together. Mix in other families or generations, e.g. ${list(other)}${weightNote}.`,
    });
  }
  for (const type of types) {
    const data = dataset.pool(region, type);
    if (data === undefined) {
      const instead = saferAlternatives(dataset, region, type, { exclude: types });
      const why = dataset.hasRegion(region) ? `does not know ${type} in ${region}` : `has no data for region ${region}`;
      advice.push({
        ...base,
        rule: "unknown-type",
        type,
        message: `${where}: the Spot Instance Advisor data (${dataset.metadata.date}) ${why}, so its interruption risk is unknown. Check the type is offered there, or use ${list(instead)}.`,
      });
    } else if (data.interruptionIndex >= HIGHEST_INTERRUPTION_INDEX) {
      const instead = saferAlternatives(dataset, region, type, { exclude: types });
      advice.push({
        ...base,
        rule: "high-interruption",
        type,
        message: `${where}: ${type} is in the "${data.interruption}" interruption bucket in ${region} (Spot Instance Advisor, ${dataset.metadata.date}). Replace it with a "<5%" type of the same size and architecture, e.g. ${list(instead)}${weightNote}.`,
      });
    }
  }
  const singleAz = pool.availabilityZones !== undefined ? pool.availabilityZones < 2 : pool.subnets < 2;
  if (singleAz) {
    advice.push({
      ...base,
      rule: "single-az",
      message: `${where} launches in a single Availability Zone: every Spot pool it can use is in that AZ. Give the instances subnets in at least 2 AZs (network.azCount or network.instanceSubnetIds).`,
    });
  }
  return advice;
}

function applyAcknowledgements(config: EnvironmentConfig, advice: Omit<SpotAdvice, "level">[]): SpotAdvice[] {
  const acknowledgements = config.capacity.spotAdvice.acknowledge;
  const used = new Set<number>();
  const result: SpotAdvice[] = advice.map((item) => {
    const index = acknowledgements.findIndex((ack) => ack.rule === item.rule && (ack.type === undefined || ack.type === item.type));
    if (index < 0) return { level: "warn", ...item };
    used.add(index);
    return { level: "info", ...item, acknowledged: acknowledgements[index].reason };
  });
  acknowledgements.forEach((ack, index) => {
    if (used.has(index)) return;
    result.push({
      level: "info",
      rule: ack.rule,
      environment: config.environment,
      pool: "capacity.spotAdvice",
      ...(ack.type === undefined ? {} : { type: ack.type }),
      message: `[${config.environment}] capacity.spotAdvice.acknowledge.${index} (${ack.rule}${ack.type ? `, ${ack.type}` : ""}) matches no advice any more: remove it.`,
    });
  });
  return result;
}

/** The warnings synthesis shows for an environment: its unacknowledged advice, each message naming environment, pool and type. */
export function spotPoolWarnings(config: EnvironmentConfig, dataset: SpotDataset = loadRegionDataset(config.region)): string[] {
  return adviseSpotPools(config, dataset)
    .filter((item) => item.level === "warn")
    .map((item) => `spot advice (${item.rule}): ${item.message}${item.whenApplied ? ` ${item.whenApplied}` : ""}`);
}
