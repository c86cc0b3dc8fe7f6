/**
 * Config rules for compute capacity that types cannot express: how the Spot Fleet scales, its floor
 * across AZs, and which combinations of fleet and drainer settings replace instances instead of
 * stranding them. Loaded by stacks/config/, so it stays free of cdktf.
 */
import type { z } from "zod";
import type { EnvironmentConfig } from "./";

type Ctx = z.RefinementCtx;

/** The Spot Fleet settings the scaling rules read. */
interface FleetScaling {
  readonly reservationScaleOutPercent: number;
  readonly reservationScaleInPercent: number;
}

/**
 * Scale-in must not set off scale-out: removing one of two equal instances doubles the reservation
 * of what is left, so scale-in fires only at or below half the scale-out threshold.
 */
export function checkSpotFleetScaling(fleet: FleetScaling, ctx: Ctx): void {
  if (fleet.reservationScaleInPercent * 2 > fleet.reservationScaleOutPercent) {
    ctx.addIssue({
      code: "custom",
      path: ["reservationScaleInPercent"],
      message: `must be at most half of reservationScaleOutPercent (${fleet.reservationScaleOutPercent}): removing one of two instances doubles the reservation, which would add the capacity back`,
    });
  }
}

/** Availability Zones the container instances are spread over (one instance subnet per AZ). */
export function instanceAzCount(network: EnvironmentConfig["network"]): number {
  return network.mode === "create" ? network.azCount : new Set(network.instanceSubnetIds).size;
}

export function checkCapacityAcrossSections(config: EnvironmentConfig, ctx: Ctx): void {
  const fleet = config.capacity.mode === "spot-fleet" ? config.capacity.spotFleet : undefined;
  const drainer = config.spotDrainer;

  if (fleet) {
    // The floor counts instances, not units: a heavier type can fill minCapacity with fewer instances than AZs.
    const azs = instanceAzCount(config.network);
    const largest = Math.max(...fleet.instanceTypes.map((type) => type.weightedCapacity));
    if (fleet.minCapacity < azs * largest) {
      ctx.addIssue({
        code: "custom",
        path: ["capacity", "spotFleet", "minCapacity"],
        message: `must be >= ${azs * largest} (${azs} AZs x largest weightedCapacity ${largest}) so that scale-in keeps at least one instance per AZ: a fleet scaled in below that runs every task in one AZ`,
      });
    }
  }

  const spotInstances = maxSpotInstances(config.capacity);
  if (drainer.enabled && drainer.reservedConcurrency < spotInstances.count) {
    ctx.addIssue({
      code: "custom",
      path: ["spotDrainer", "reservedConcurrency"],
      message: `must be >= ${spotInstances.count} (${spotInstances.why}): a mass interruption warns every Spot instance at once, and a drain without a free execution is throttled and retried until its 2-minute warning is over`,
    });
  }

  if (config.spotDrill.enabled) {
    if (!drainer.enabled) {
      ctx.addIssue({ code: "custom", path: ["spotDrill", "enabled"], message: "needs spotDrainer.enabled: the drill rehearses the drain of interrupted instances" });
    }
    if (!config.services.some((service) => service.kind === "web")) {
      ctx.addIssue({ code: "custom", path: ["spotDrill", "enabled"], message: "needs a web service: its 5xx alarm is what stops the drill when clients see errors" });
    }
    if (spotInstances.count === 0) {
      ctx.addIssue({ code: "custom", path: ["spotDrill", "enabled"], message: "the environment has no Spot capacity to interrupt (capacity.spot.maxSize is 0)" });
    }
  }

  if (fleet && drainer.drainOnRebalance && !fleet.capacityRebalance) {
    ctx.addIssue({
      code: "custom",
      path: ["spotDrainer", "drainOnRebalance"],
      message:
        "drains instances the Spot Fleet does not replace: they stay DRAINING and empty, paid for and counted as capacity. Set capacity.spotFleet.capacityRebalance: true, or drain on the interruption warning only",
    });
  }
  if (fleet?.capacityRebalance && !(drainer.enabled && drainer.drainOnRebalance)) {
    ctx.addIssue({
      code: "custom",
      path: ["capacity", "spotFleet", "capacityRebalance"],
      message:
        "needs spotDrainer.enabled and spotDrainer.drainOnRebalance: the fleet launches a replacement but leaves the old instance running and no longer counted, and only the drainer drains and terminates it",
    });
  }
  if (fleet?.capacityRebalance && fleet.allocationStrategy === "lowestPrice") {
    ctx.addIssue({
      code: "custom",
      path: ["capacity", "spotFleet", "allocationStrategy"],
      message: "lowest-price with capacityRebalance launches replacements in the pool most likely to be interrupted next: use price-capacity-optimized or capacity-optimized",
    });
  }
}

/**
 * The most Spot instances the environment can run at once: each may get its interruption warning in the same
 * minute, and each warning is one drain. A fleet holds the most instances when all are of its lightest type.
 */
export function maxSpotInstances(capacity: EnvironmentConfig["capacity"]): { count: number; why: string } {
  const fleet = capacity.mode === "spot-fleet" ? capacity.spotFleet : undefined;
  if (fleet) {
    const lightest = Math.min(...fleet.instanceTypes.map((type) => type.weightedCapacity));
    const count = Math.ceil(fleet.maxCapacity / lightest);
    return { count, why: `capacity.spotFleet.maxCapacity ${fleet.maxCapacity} / lightest weightedCapacity ${lightest}` };
  }
  const count = capacity.spot?.maxSize ?? 0;
  return { count, why: `capacity.spot.maxSize` };
}
