/**
 * The capacity pools an environment's config creates, in the terms the advice and the estimate
 * need. Read from the validated config only (no cdktf), so synthesis and the report see the same
 * pools. Which sections exist decides the pools: the schema allows `spot` and `spotFleet` only in
 * their own capacity mode.
 */
import type { EnvironmentConfig } from "../config";
import { Naming } from "../../modules/platform/naming";
import { computeNames } from "../../modules/services/platform-names";

/** The fields an on-demand or Spot ASG pool shares. */
type AsgConfig = Pick<EnvironmentConfig["capacity"]["onDemand"], "instanceTypes" | "minSize" | "desiredCapacity" | "maxSize">;

export type Purchase = "spot" | "on-demand";

/** One instance type of a pool and the capacity units one instance counts for (1 in an ASG). */
export interface PoolInstanceType {
  readonly type: string;
  readonly weight: number;
}

export interface CapacityPoolSpec {
  /** `on-demand`, `spot` (Spot ASG) or `spot-fleet`: the component of its AWS resource names. */
  readonly name: string;
  /** The config section that defines it, e.g. `capacity.spotFleet`. */
  readonly configPath: string;
  /** The AWS name of its ASG or Spot Fleet's launch template, e.g. `acme-api-spot-production`. */
  readonly resourceName: string;
  readonly kind: "auto-scaling-group" | "spot-fleet";
  readonly purchase: Purchase;
  /** In order of preference (on-demand ASGs launch the first that has capacity). */
  readonly instanceTypes: readonly PoolInstanceType[];
  /** Sizes in `unit`s: instances for ASGs, weighted capacity units for a Spot Fleet. */
  readonly size: { readonly min: number; readonly desired: number; readonly max: number };
  readonly unit: "instances" | "capacity units";
  /** A Spot ASG's own on-demand share: the first `base` instances, then `percentAboveBase` % of the rest. */
  readonly onDemandWithin?: { readonly base: number; readonly percentAboveBase: number };
  /** Availability Zones the pool launches in; undefined when the config names subnets whose AZs it cannot know. */
  readonly availabilityZones?: number;
  readonly subnets: number;
  readonly allocationStrategy?: string;
}

export function capacityPools(config: EnvironmentConfig): CapacityPoolSpec[] {
  const capacity = config.capacity;
  // The stack's own names (cdktf-free, so the report can use them).
  const names = computeNames(new Naming(config.project, config.environment));
  const network = config.network;
  const placement =
    "azCount" in network
      ? { availabilityZones: network.azCount, subnets: network.azCount }
      : { availabilityZones: undefined, subnets: new Set(network.instanceSubnetIds).size };
  const asgPool = (name: "on-demand" | "spot", asg: AsgConfig, purchase: Purchase): CapacityPoolSpec => ({
    name,
    configPath: `capacity.${name === "on-demand" ? "onDemand" : "spot"}`,
    resourceName: name === "on-demand" ? names.onDemand : names.spot,
    kind: "auto-scaling-group",
    purchase,
    instanceTypes: asg.instanceTypes.map((type) => ({ type, weight: 1 })),
    size: { min: asg.minSize, desired: asg.desiredCapacity ?? asg.minSize, max: asg.maxSize },
    unit: "instances",
    ...placement,
  });
  const pools: CapacityPoolSpec[] = [asgPool("on-demand", capacity.onDemand, "on-demand")];
  if (capacity.spot) {
    const spot = capacity.spot;
    pools.push({
      ...asgPool("spot", spot, "spot"),
      onDemandWithin: { base: spot.onDemandBaseCapacity, percentAboveBase: spot.onDemandPercentageAboveBaseCapacity },
      allocationStrategy: spot.allocationStrategy,
    });
  }
  if (capacity.spotFleet) {
    const fleet = capacity.spotFleet;
    pools.push({
      name: "spot-fleet",
      configPath: "capacity.spotFleet",
      resourceName: names.spotFleet,
      kind: "spot-fleet",
      purchase: "spot",
      instanceTypes: fleet.instanceTypes.map((entry) => ({ type: entry.type, weight: entry.weightedCapacity })),
      size: { min: fleet.minCapacity, desired: fleet.targetCapacity, max: fleet.maxCapacity },
      unit: "capacity units",
      // The config's documented (kebab-case) spelling; the parsed value is the Spot Fleet API's camelCase.
      allocationStrategy: fleet.allocationStrategy.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`),
      ...placement,
    });
  }
  return pools;
}
