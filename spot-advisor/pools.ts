/**
 * The capacity pools an environment's config creates, in the terms the advice and the estimate
 * need. Read from the validated config only (no cdktf), so synthesis and the report see the same
 * pools. Which sections exist decides the pools: the schema allows `spot` and `spotFleet` only in
 * their own capacity mode.
 */
import type { EnvironmentConfig } from "../stacks/config";
import { Naming } from "../modules/platform/naming";

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
  // The names computeNames (modules/compute/compute.ts) gives; that module loads cdktf, which the report must not.
  const naming = new Naming(config.project, config.environment);
  const names = { onDemand: naming.name("on-demand"), spot: naming.name("spot"), spotFleet: naming.name("spot-fleet") };
  const network = config.network;
  const placement =
    "azCount" in network
      ? { availabilityZones: network.azCount, subnets: network.azCount }
      : { availabilityZones: undefined, subnets: new Set(network.instanceSubnetIds).size };
  const onDemand = capacity.onDemand;
  const pools: CapacityPoolSpec[] = [
    {
      name: "on-demand",
      configPath: "capacity.onDemand",
      resourceName: names.onDemand,
      kind: "auto-scaling-group",
      purchase: "on-demand",
      instanceTypes: onDemand.instanceTypes.map((type) => ({ type, weight: 1 })),
      size: { min: onDemand.minSize, desired: onDemand.desiredCapacity ?? onDemand.minSize, max: onDemand.maxSize },
      unit: "instances",
      ...placement,
    },
  ];
  if (capacity.spot) {
    const spot = capacity.spot;
    pools.push({
      name: "spot",
      configPath: "capacity.spot",
      resourceName: names.spot,
      kind: "auto-scaling-group",
      purchase: "spot",
      instanceTypes: spot.instanceTypes.map((type) => ({ type, weight: 1 })),
      size: { min: spot.minSize, desired: spot.desiredCapacity ?? spot.minSize, max: spot.maxSize },
      unit: "instances",
      onDemandWithin: { base: spot.onDemandBaseCapacity, percentAboveBase: spot.onDemandPercentageAboveBaseCapacity },
      allocationStrategy: spot.allocationStrategy,
      ...placement,
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
      allocationStrategy: fleet.allocationStrategy,
      ...placement,
    });
  }
  return pools;
}
