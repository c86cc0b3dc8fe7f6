/**
 * The capacity mix and the estimated savings against running the same capacity all on-demand.
 *
 * Relative terms only: the snapshot has savings percentages, not prices. The estimate weighs each
 * instance's savings by its vCPU, i.e. it assumes on-demand price is proportional to vCPU across
 * the pool's types (true within a family, roughly so between the c/m/r families of a generation).
 */
import type { EnvironmentConfig } from "../stacks/config";
import type { SpotDataset } from "../stacks/spot-advice/dataset";
import type { CapacityPoolSpec } from "../stacks/spot-advice/pools";

export const CAPACITY_LEVELS = ["min", "desired", "max"] as const;
export type CapacityLevel = (typeof CAPACITY_LEVELS)[number];

/** The headline figure is taken at max capacity: min and desired are start sizes the autoscalers move. */
export const HEADLINE_LEVEL: CapacityLevel = "max";

export interface LevelEstimate {
  readonly onDemandVcpu: number;
  readonly spotVcpu: number;
  /** Spot vCPU over all vCPU, percent; null when the level has no capacity. */
  readonly spotSharePercent: number | null;
  /** vCPU-weighted savings over all on-demand, percent; null when the level has no capacity. */
  readonly savingsVsOnDemandPercent: number | null;
}

export interface CapacityEstimate {
  readonly savingsVsOnDemandPercent: number | null;
  readonly basis: CapacityLevel;
  readonly levels: Readonly<Record<CapacityLevel, LevelEstimate>>;
  /** Types left out of the estimate because the data lacks their size or their Spot savings in the region. */
  readonly excludedTypes: readonly string[];
  readonly assumptions: readonly string[];
}

/** How the cluster's default capacity provider strategy places tasks; null where there are no capacity providers. */
export interface StrategyMix {
  readonly onDemandBaseTasks: number;
  readonly onDemandWeight: number;
  readonly spotWeight: number;
  /** Share of the tasks above the base that go to Spot, percent. */
  readonly spotShareAboveBasePercent: number;
}

export const ESTIMATE_ASSUMPTIONS = [
  "relative only: the Spot Instance Advisor snapshot gives savings percentages, not prices; no price snapshot with a clear licence and date is shipped",
  "on-demand price taken as proportional to vCPU across a pool's types, so savings are weighted by vCPU",
  "a pool's Spot capacity is spread evenly over its types the data knows (by instances in an ASG, by capacity units in a Spot Fleet); the allocation strategy's real choice moves with prices and capacity",
  "on-demand instances run the first listed type (prioritized)",
  "a Spot ASG's own on-demand share (onDemandBaseCapacity, onDemandPercentageAboveBaseCapacity) counts as on-demand, unrounded",
  "savings are the dataset's averages for the region; actual Spot prices vary by AZ and over time; interruptions, EBS, data transfer and load balancers are not included",
];

const round1 = (value: number) => Math.round(value * 10) / 10;

export function strategyMix(config: EnvironmentConfig): StrategyMix | null {
  // Capacity providers exist exactly when the Spot ASG does (the schema ties `spot` to that mode).
  if (!config.capacity.spot) return null;
  const { onDemandBase, onDemandWeight, spotWeight } = config.capacity.strategy;
  return {
    onDemandBaseTasks: onDemandBase,
    onDemandWeight,
    spotWeight,
    spotShareAboveBasePercent: round1((100 * spotWeight) / (onDemandWeight + spotWeight)),
  };
}

export function estimateSavings(pools: readonly CapacityPoolSpec[], region: string, dataset: SpotDataset): CapacityEstimate {
  const excluded = new Set<string>();
  const perLevel = (level: CapacityLevel): LevelEstimate => {
    let onDemandVcpu = 0;
    let spotVcpu = 0;
    let savedVcpu = 0;
    for (const pool of pools) {
      const units = pool.size[level];
      const spotUnits = pool.purchase === "on-demand" ? 0 : units - onDemandUnitsWithin(pool, units);
      const onDemandUnits = units - spotUnits;
      const firstSized = pool.instanceTypes.find((entry) => dataset.spec(entry.type) !== undefined);
      if (onDemandUnits > 0) {
        if (firstSized) onDemandVcpu += (onDemandUnits / firstSized.weight) * dataset.spec(firstSized.type)!.vcpu;
        pool.instanceTypes.filter((entry) => dataset.spec(entry.type) === undefined).forEach((entry) => excluded.add(entry.type));
      }
      if (pool.purchase === "on-demand") continue;
      const priced = pool.instanceTypes.filter((entry) => {
        const known = dataset.spec(entry.type) !== undefined && dataset.pool(region, entry.type) !== undefined;
        if (!known) excluded.add(entry.type);
        return known;
      });
      for (const entry of priced) {
        const vcpu = (spotUnits / priced.length / entry.weight) * dataset.spec(entry.type)!.vcpu;
        spotVcpu += vcpu;
        savedVcpu += (vcpu * dataset.pool(region, entry.type)!.savingsPercent) / 100;
      }
    }
    const total = onDemandVcpu + spotVcpu;
    return {
      onDemandVcpu: round1(onDemandVcpu),
      spotVcpu: round1(spotVcpu),
      spotSharePercent: total > 0 ? round1((100 * spotVcpu) / total) : null,
      savingsVsOnDemandPercent: total > 0 ? round1((100 * savedVcpu) / total) : null,
    };
  };
  const levels = { min: perLevel("min"), desired: perLevel("desired"), max: perLevel("max") };
  return {
    savingsVsOnDemandPercent: levels[HEADLINE_LEVEL].savingsVsOnDemandPercent,
    basis: HEADLINE_LEVEL,
    levels,
    excludedTypes: [...excluded].sort(),
    assumptions: ESTIMATE_ASSUMPTIONS,
  };
}

/** A Spot ASG's on-demand instances at `units`: the base first, then the percentage of the rest. */
export function onDemandUnitsWithin(pool: CapacityPoolSpec, units: number): number {
  if (!pool.onDemandWithin) return 0;
  const base = Math.min(units, pool.onDemandWithin.base);
  return base + ((units - base) * pool.onDemandWithin.percentAboveBase) / 100;
}
