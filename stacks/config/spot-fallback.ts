/** The on-demand fallback: when Spot capacity cannot be had, on-demand takes over, and gives it back when Spot returns. */
import { z } from "zod";
import { int } from "./fields";
import type { EnvironmentConfig } from "./";

export const spotFallbackSchema = z
  .object({
    enabled: z.boolean().default(true).describe("Deploy the fallback controller."),
    checkIntervalMinutes: int(1, 10).default(1).describe("Minutes between checks (EventBridge schedule)."),
    sustainSeconds: int(60, 1800).default(180).describe("Seconds Spot must be starving (capacity missing while Spot launches fail with capacity errors) before on-demand takes over. On-demand is asked for within this plus one check interval of the first failed launch."),
    maxOnDemandInstances: int(0, 1000).optional().describe("Cost cap: the most on-demand instances the fallback adds. Default: all the Spot capacity there can be (capacity-providers: `spot.maxSize - spot.onDemandBaseCapacity`; spot-fleet: `onDemand.maxSize` minus the on-demand ASG's configured size)."),
    settleSeconds: int(60, 900).default(180).describe("Seconds after adding on-demand before adding more: the time launches take to count as capacity."),
    recoveryHoldSeconds: int(300, 86400).default(900).describe("Seconds without Spot capacity errors before the first step back to Spot."),
    maxRecoveryHoldSeconds: int(300, 86400).default(14400).describe("A step back that fails again (a flapping pool) doubles the hold, up to this."),
    recoveryStepInstances: int(1, 100).default(1).describe("On-demand instances given back to Spot per step."),
    recoveryStepIntervalSeconds: int(60, 3600).default(300).describe("Seconds between steps back to Spot."),
  })
  .prefault({})
  .describe("The on-demand fallback controller: holds capacity on on-demand while Spot cannot be had, alerts, and moves back to Spot gradually.");

export type SpotFallbackConfig = z.output<typeof spotFallbackSchema>;

/** The most on-demand instances the fallback may add, and the room its lever has. */
export function fallbackRoom(config: Pick<EnvironmentConfig, "capacity">): number {
  const capacity = config.capacity;
  if (capacity.mode === "capacity-providers") return capacity.spot ? capacity.spot.maxSize - capacity.spot.onDemandBaseCapacity : 0;
  return capacity.onDemand.maxSize - onDemandFloor(capacity.onDemand);
}

/** The on-demand ASG's configured size: nothing but the fallback moves it in spot-fleet mode. */
export function onDemandFloor(group: { readonly minSize: number; readonly desiredCapacity?: number }): number {
  return group.desiredCapacity ?? group.minSize;
}

/** The fallback's cost cap: the configured one, else all the room there is. */
export function fallbackCap(config: Pick<EnvironmentConfig, "capacity" | "spotFallback">): number {
  return config.spotFallback.maxOnDemandInstances ?? fallbackRoom(config);
}

type Ctx = z.RefinementCtx;

/**
 * Rules across sections: the cap fits the lever, and spot-fleet scale-in is drained. A lever without room
 * (on-demand ASG at its maxSize) is allowed: the cap is then 0 and the fallback only detects and alarms (capped).
 */
export function checkSpotFallback(config: Pick<EnvironmentConfig, "capacity" | "spotFallback" | "spotDrainer">, ctx: Ctx): void {
  const fallback = config.spotFallback;
  if (!fallback.enabled) return;
  const room = fallbackRoom(config);
  const roomField = config.capacity.mode === "capacity-providers" ? "capacity.spot.maxSize - capacity.spot.onDemandBaseCapacity" : "capacity.onDemand.maxSize minus its configured size";
  if (fallback.maxOnDemandInstances !== undefined && fallback.maxOnDemandInstances > room) {
    ctx.addIssue({ code: "custom", path: ["spotFallback", "maxOnDemandInstances"], message: `must be <= ${room} (${roomField}): the fallback cannot grow its group past its maxSize` });
  }
  if (config.capacity.mode === "capacity-providers" && config.capacity.spot && config.capacity.spot.onDemandPercentageAboveBaseCapacity === 100) {
    ctx.addIssue({ code: "custom", path: ["spotFallback", "enabled"], message: "has nothing to do while capacity.spot.onDemandPercentageAboveBaseCapacity is 100 (the Spot ASG buys no Spot): set it to false" });
  }
  if (config.capacity.mode === "spot-fleet") {
    if (!config.spotDrainer.enabled) {
      ctx.addIssue({
        code: "custom",
        path: ["spotFallback", "enabled"],
        message: "in spot-fleet mode needs spotDrainer.enabled: only its lifecycle hook drains the on-demand ASG, so stepping back to Spot would stop tasks undrained",
      });
    }
  }
}
