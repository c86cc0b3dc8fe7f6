/** EC2 capacity of the cluster: ASGs, Spot Fleet, capacity providers, and the Spot pool advice exceptions. */
import { z } from "zod";
import { checkSpotFleetScaling } from "./capacity-rules";
import { SPOT_ADVICE_RULE_IDS, SPOT_ADVICE_RULES } from "../spot-advice/rules";
import { SPOT_WARNING_SECONDS } from "./validators";
import { AMI_ID, int, percent, instanceType, kebabEnum } from "./fields";
import { architectureOfName, instanceTypeSpec } from "../../instance-types";

const spotAsgSchema = z
  .object({
    instanceTypes: z.array(instanceType()).min(1, "must list at least one instance type").describe("Instance types of the Spot ASG, most preferred first; several types and families make Spot capacity likelier. All must match `capacity.architecture`."),
    minSize: int(0, 1000).default(0).describe("Fewest instances in the group."),
    maxSize: int(0, 1000).describe("Most instances in the group; ECS managed scaling stays within it."),
    desiredCapacity: int(0, 1000).optional().describe("Instances at creation only (Terraform ignores later changes: managed scaling owns the count). Default: minSize."),
    onDemandBaseCapacity: int(0, 1000).default(0).describe("Instances of this group bought on-demand before any Spot."),
    onDemandPercentageAboveBaseCapacity: percent().default(0).describe("Share of instances above the base bought on-demand (0 = all Spot)."),
    allocationStrategy: z
      .enum(["price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price"])
      .default("price-capacity-optimized").describe("How EC2 picks Spot pools: `price-capacity-optimized` (recommended) balances price and interruption risk."),
    capacityRebalance: z.boolean().default(true).describe("Replace Spot instances at elevated interruption risk before they are interrupted (managed draining moves their tasks)."),
  })
  .superRefine((spot, ctx) => {
    checkSizes(spot, ctx);
    if (spot.onDemandBaseCapacity > spot.maxSize) {
      ctx.addIssue({ code: "custom", path: ["onDemandBaseCapacity"], message: `must be <= maxSize (${spot.maxSize})` });
    }
  });

const onDemandAsgSchema = z
  .object({
    instanceTypes: z.array(instanceType()).min(1, "must list at least one instance type").describe("Instance types of the on-demand ASG, most preferred first. All must match `capacity.architecture`."),
    minSize: int(0, 1000).default(0).describe("Fewest instances in the group."),
    maxSize: int(0, 1000).describe("Most instances in the group."),
    desiredCapacity: int(0, 1000).optional().describe("Instances at creation only (Terraform ignores later changes: the scaler owns the count). Default: minSize."),
  })
  .superRefine(checkSizes);

function checkSizes(
  group: { minSize: number; maxSize: number; desiredCapacity?: number },
  ctx: z.RefinementCtx,
): void {
  if (group.maxSize < group.minSize) {
    ctx.addIssue({ code: "custom", path: ["maxSize"], message: `must be >= minSize (${group.minSize})` });
  }
  if (group.desiredCapacity !== undefined && (group.desiredCapacity < group.minSize || group.desiredCapacity > group.maxSize)) {
    ctx.addIssue({
      code: "custom",
      path: ["desiredCapacity"],
      message: `must be between minSize (${group.minSize}) and maxSize (${group.maxSize})`,
    });
  }
}

const spotFleetSchema = z
  .object({
    instanceTypes: z
      .array(
        z.object({
          type: instanceType().describe("An instance type, e.g. `m7g.large`."),
          weightedCapacity: int(1, 1000).default(1).describe("Capacity units one instance of this type counts for (e.g. its vCPUs)."),
        }),
      )
      .min(1, "must list at least one instance type").describe("Instance types of the Spot Fleet with their weights; all must match `capacity.architecture`."),
    targetCapacity: int(0, 10000).describe("Capacity units (sum of weights) at creation; autoscaling moves it between minCapacity and maxCapacity."),
    minCapacity: int(0, 10000).default(0).describe("Fewest capacity units autoscaling keeps."),
    maxCapacity: int(1, 10000).describe("Most capacity units autoscaling requests."),
    allocationStrategy: kebabEnum(
      "capacity.spotFleet.allocationStrategy",
      ["price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "diversified", "lowest-price"],
      {
        priceCapacityOptimized: "price-capacity-optimized",
        capacityOptimized: "capacity-optimized",
        capacityOptimizedPrioritized: "capacity-optimized-prioritized",
        lowestPrice: "lowest-price",
      },
      // The Spot Fleet API spells them in camelCase.
      (value) => value.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase()) as SpotFleetAllocationStrategy,
    ).prefault("price-capacity-optimized").describe("How the fleet picks Spot pools: `price-capacity-optimized` (recommended) balances price and interruption risk."),
    validUntil: z.iso.datetime({ message: "must be an ISO 8601 date-time such as 2027-01-01T00:00:00Z" }).optional().describe("End of the Spot Fleet request (ISO 8601, UTC), e.g. `2027-01-01T00:00:00Z`. Default: no end."),
    capacityRebalance: z
      .boolean()
      .default(false)
      .describe("Replace instances that get a rebalance recommendation; the drainer drains and then terminates the old one (needs `spotDrainer.drainOnRebalance`). Replace-only: changing it replaces the fleet."),
    targetTracking: z
      .unknown()
      .refine((value) => value === undefined, {
        message: "is no longer supported: the fleet scales on reservation in both directions (reservationScaleOutPercent, reservationScaleInPercent)",
      })
      .optional()
      .describe("Removed: CPU target tracking removed capacity that reservations still held. Refused, so old configs fail loudly; scaling follows reservation both ways."),
    reservationScaleOutPercent: percent()
      .default(80)
      .describe("Add capacity when max(CPUReservation, MemoryReservation) of the cluster reaches this. Reservation counts placed tasks only: the headroom below 100 % is what lets the next task be placed."),
    reservationScaleInPercent: percent()
      .default(40)
      .describe("Remove one instance's worth when the same signal stays at or below this for `scaleInEvaluationMinutes`; at most half of `reservationScaleOutPercent`."),
    scaleOutCooldownSeconds: int(0, 3600).default(120).describe("Seconds after a scale-out before the next one."),
    scaleInCooldownSeconds: int(0, 3600).default(600).describe("Seconds after a scale-in before the next one."),
    scaleInEvaluationMinutes: int(1, 60).default(15).describe("Minutes the reservation must stay low before one instance is removed."),
  })
  .superRefine((fleet, ctx) => {
    if (fleet.maxCapacity < fleet.minCapacity) {
      ctx.addIssue({ code: "custom", path: ["maxCapacity"], message: `must be >= minCapacity (${fleet.minCapacity})` });
    }
    if (fleet.targetCapacity < fleet.minCapacity || fleet.targetCapacity > fleet.maxCapacity) {
      ctx.addIssue({
        code: "custom",
        path: ["targetCapacity"],
        message: `must be between minCapacity (${fleet.minCapacity}) and maxCapacity (${fleet.maxCapacity})`,
      });
    }
    checkSpotFleetScaling(fleet, ctx);
  });

/** Deliberate exceptions to the Spot pool advice that synthesis warns about and `npm run report` shows (stacks/spot-advice/). */
const spotAdviceSchema = z
  .object({
    acknowledge: z
      .array(
        z.object({
          rule: z
            .enum(SPOT_ADVICE_RULE_IDS)
            .describe(`The advice rule: ${Object.entries(SPOT_ADVICE_RULES).map(([id, what]) => `\`${id}\` (${what})`).join("; ")}.`),
          type: instanceType()
            .optional()
            .describe("Only this instance type (for high-interruption and unknown-type); default: every warning of the rule."),
          reason: z.string().trim().min(1, "must say why the advice does not apply").describe("Why the risk is accepted; shown in the report."),
        }),
      )
      .default([])
      .describe("Warnings accepted on purpose: they are no longer printed at synth and appear in the report as acknowledged."),
  })
  .prefault({})
  .describe("Spot pool advice from the AWS Spot Instance Advisor snapshot in spot-advisor/data.");

export const capacitySchema = z
  .object({
    mode: z.enum(["capacity-providers", "spot-fleet"]).default("capacity-providers").describe("`capacity-providers`: on-demand and Spot ASGs behind ECS capacity providers (managed scaling and draining; production). `spot-fleet`: an on-demand ASG plus a Spot Fleet request (cheapest; no managed draining)."),
    architecture: z.enum(["x86_64", "arm64"]).default("x86_64").describe("CPU architecture of every instance type and of the ECS-optimized AMI; images must be built for it."),
    amiId: z.string().regex(AMI_ID, "must be an AMI id such as ami-0abc12345def67890").optional().describe("Pin an AMI instead of following the ECS-optimized Amazon Linux 2023 SSM parameter."),
    rootVolumeSizeGiB: int(30, 16384).default(30).describe("Encrypted gp3 root volume size of every instance."),
    detailedMonitoring: z.boolean().default(false).describe("One-minute EC2 metrics (charged)."),
    containerStopTimeoutSeconds: int(1, SPOT_WARNING_SECONDS).default(30).describe("ECS_CONTAINER_STOP_TIMEOUT: SIGTERM-to-SIGKILL grace for containers without their own stopTimeoutSeconds; counts against the 120 s Spot warning."),
    healthCheckGracePeriodSeconds: int(0, 7200).default(120).describe("Seconds after launch before the ASGs act on failed instance health checks."),
    onDemand: onDemandAsgSchema.describe("The on-demand Auto Scaling group: the stable base."),
    spot: spotAsgSchema.optional().describe("The Spot Auto Scaling group (mixed instances). Required in capacity-providers mode, refused in spot-fleet mode."),
    managedScaling: z
      .object({
        targetCapacityPercent: int(1, 100).default(90).describe("How full managed scaling keeps the instances: 100 packs them, lower leaves headroom for new tasks."),
        minimumScalingStepSize: int(1, 10000).default(1).describe("Fewest instances added or removed at once."),
        maximumScalingStepSize: int(1, 10000).default(10).describe("Most instances added or removed at once."),
        instanceWarmupPeriodSeconds: int(0, 10000).default(180).describe("Seconds before a new instance counts in the metrics."),
      })
      .prefault({})
      .superRefine((scaling, ctx) => {
        if (scaling.maximumScalingStepSize < scaling.minimumScalingStepSize) {
          ctx.addIssue({
            code: "custom",
            path: ["maximumScalingStepSize"],
            message: `must be >= minimumScalingStepSize (${scaling.minimumScalingStepSize})`,
          });
        }
      }).describe("ECS managed scaling of the capacity providers (capacity-providers mode)."),
    strategy: z
      .object({
        onDemandBase: int(0, 100000).default(1).describe("Tasks of each service placed on on-demand before any weight applies."),
        onDemandWeight: int(0, 1000).default(1).describe("Weight of on-demand for the tasks above the base."),
        spotWeight: int(0, 1000).default(4).describe("Weight of Spot for the tasks above the base (1:4 puts 80 % on Spot)."),
      })
      .prefault({})
      .superRefine((strategy, ctx) => {
        if (strategy.onDemandWeight === 0 && strategy.spotWeight === 0) {
          ctx.addIssue({ code: "custom", path: ["spotWeight"], message: "onDemandWeight and spotWeight cannot both be 0" });
        }
      }).describe("The cluster's default capacity provider strategy: `onDemandBase` tasks on on-demand, the rest split by weight."),
    spotFleet: spotFleetSchema.optional().describe("The Spot Fleet request. Required in spot-fleet mode, refused in capacity-providers mode."),
    spotAdvice: spotAdviceSchema,
    instanceRefresh: z
      .object({
        minHealthyPercentage: percent().default(90).describe("Share of instances kept in service during a refresh."),
        checkpointPercentages: z.array(int(1, 100)).default([]).describe("Pause points (percent of instances replaced), ascending, ending at 100; empty = no pauses."),
        checkpointDelaySeconds: int(0, 172800).default(600).describe("Seconds to wait at each checkpoint."),
      })
      .prefault({})
      .superRefine((refresh, ctx) => {
        refresh.checkpointPercentages.forEach((percentage, index) => {
          if (index > 0 && percentage <= refresh.checkpointPercentages[index - 1]) {
            ctx.addIssue({ code: "custom", path: ["checkpointPercentages", index], message: "must be in strictly ascending order" });
          }
        });
        // AWS ends the refresh at the last checkpoint: short of 100 it leaves the rest on the old template, reported as successful.
        const last = refresh.checkpointPercentages.at(-1);
        if (last !== undefined && last !== 100) {
          ctx.addIssue({
            code: "custom",
            path: ["checkpointPercentages", refresh.checkpointPercentages.length - 1],
            message: "must end with 100, or the instance refresh stops there and leaves the remaining instances on the old launch template",
          });
        }
      }).describe("Rolling instance refresh of the ASGs when their launch template changes (new AMI, settings)."),
  })
  .superRefine((capacity, ctx) => {
    if (capacity.mode === "capacity-providers" && !capacity.spot) {
      ctx.addIssue({ code: "custom", path: ["spot"], message: "is required when mode is capacity-providers" });
    }
    if (capacity.mode === "spot-fleet" && !capacity.spotFleet) {
      ctx.addIssue({ code: "custom", path: ["spotFleet"], message: "is required when mode is spot-fleet" });
    }
    // A section the mode ignores is a mistake, not a setting: say so instead of silently dropping it.
    if (capacity.mode === "spot-fleet" && capacity.spot) {
      ctx.addIssue({ code: "custom", path: ["spot"], message: "is only used when mode is capacity-providers" });
    }
    if (capacity.mode === "capacity-providers" && capacity.spotFleet) {
      ctx.addIssue({ code: "custom", path: ["spotFleet"], message: "is only used when mode is spot-fleet" });
    }
    if (capacity.mode === "capacity-providers") {
      // Tasks the strategy sends to a provider whose ASG cannot grow stay PROVISIONING forever.
      if (capacity.onDemand.maxSize === 0 && (capacity.strategy.onDemandBase > 0 || capacity.strategy.onDemandWeight > 0)) {
        ctx.addIssue({
          code: "custom",
          path: ["strategy", capacity.strategy.onDemandBase > 0 ? "onDemandBase" : "onDemandWeight"],
          message: "sends tasks to on-demand, but onDemand.maxSize is 0",
        });
      }
      if (capacity.spot && capacity.spot.maxSize === 0 && capacity.strategy.spotWeight > 0) {
        ctx.addIssue({ code: "custom", path: ["strategy", "spotWeight"], message: "sends tasks to Spot, but spot.maxSize is 0" });
      }
    }
    const pools: Array<[string, string[]]> = [
      ["onDemand.instanceTypes", capacity.onDemand.instanceTypes],
      ["spot.instanceTypes", capacity.spot?.instanceTypes ?? []],
      ["spotFleet.instanceTypes", capacity.spotFleet?.instanceTypes.map((entry) => entry.type) ?? []],
    ];
    for (const [field, types] of pools) {
      types.forEach((type, index) => {
        const path = field === "spotFleet.instanceTypes" ? ["spotFleet", "instanceTypes", index, "type"] : [...field.split("."), index];
        // The pool's overrides are one per type: a second entry is a mistake (an edit that keeps both), not a weight.
        const first = types.indexOf(type);
        if (first < index) {
          const firstPath = field === "spotFleet.instanceTypes" ? `capacity.spotFleet.instanceTypes.${first}.type` : `capacity.${field}.${first}`;
          ctx.addIssue({ code: "custom", path, message: `${type} is listed more than once (first at ${firstPath}): list each instance type once` });
        }
        // An unknown type is refused by its own field already.
        if (instanceTypeSpec(type) !== undefined && instanceArchitecture(type) !== capacity.architecture) {
          ctx.addIssue({
            code: "custom",
            path,
            message: `${type} is ${instanceArchitecture(type)}, but architecture is ${capacity.architecture}: use ${capacity.architecture} types such as ${similarInstanceTypes(type, capacity.architecture).join(" or ")}, or change capacity.architecture`,
          });
        }
      });
    }
  });

/** The Spot Fleet API's spelling of an allocation strategy. */
type SpotFleetAllocationStrategy = "priceCapacityOptimized" | "capacityOptimized" | "capacityOptimizedPrioritized" | "diversified" | "lowestPrice";

/** Types of the same class and size for the other architecture (m7g.large -> m7i.large, m6i.large), as fix suggestions. */
export function similarInstanceTypes(instanceType: string, architecture: "arm64" | "x86_64"): string[] {
  const [family, size] = instanceType.split(".");
  const instanceClass = /^[a-z]+?(?=\d)/.exec(family)?.[0] ?? "m";
  if (instanceClass === "t") return architecture === "arm64" ? [`t4g.${size}`] : [`t3.${size}`, `t3a.${size}`];
  return architecture === "arm64" ? [`${instanceClass}7g.${size}`, `${instanceClass}6g.${size}`] : [`${instanceClass}7i.${size}`, `${instanceClass}6i.${size}`];
}

/** The type's architecture from the bundled table (instance-types/); by its family name for a type the table lacks. */
export function instanceArchitecture(instanceType: string): "arm64" | "x86_64" {
  return instanceTypeSpec(instanceType)?.architecture ?? architectureOfName(instanceType);
}
