/**
 * The fallback's control loop as one pure function: what was observed, what was remembered, the
 * settings and the time in; the on-demand instances to hold and what to remember out. No AWS, no
 * clock: the handler and the simulation drive it alike.
 *
 * The one quantity it controls is `added`: on-demand instances the fallback holds above the
 * configured floor (the Spot ASG's on-demand base in capacity-providers mode, the on-demand ASG's
 * size in spot-fleet mode).
 * - Spot is starving when capacity is missing (`shortfall > 0`) while Spot launches fail with
 *   capacity errors. Starving for `sustainSeconds` (from the first error of the streak) starts the
 *   fallback: `added` grows by the shortfall, at most to the cost cap. While in fallback it grows
 *   again at most every `settleSeconds`, the time launches need to show up as capacity.
 * - Back to Spot: after `holdSeconds` without capacity errors (and since the last raise), `added`
 *   shrinks by `recoveryStepInstances` every `recoveryStepIntervalSeconds`. Each step lets Spot be
 *   tried again; capacity errors after a step (a flapping pool) restore the level from before the
 *   step at once and double the hold, up to `maxRecoveryHoldSeconds`.
 */

export interface FallbackSettings {
  /** Seconds Spot must be starving before on-demand takes over. */
  readonly sustainSeconds: number;
  /** A capacity error counts as current this long after it happened. */
  readonly errorWindowSeconds: number;
  /** Seconds after a raise before the next one: launches need this long to count as capacity. */
  readonly settleSeconds: number;
  /** The cost cap: the most on-demand instances the fallback adds. */
  readonly maxAddedInstances: number;
  /** Seconds without capacity errors before the first step back to Spot. */
  readonly recoveryHoldSeconds: number;
  /** The hold doubles after each failed step back (flapping), up to this. */
  readonly maxRecoveryHoldSeconds: number;
  /** On-demand instances given back per step. */
  readonly recoveryStepInstances: number;
  /** Seconds between steps back. */
  readonly recoveryStepIntervalSeconds: number;
}

/** What the mode's reader saw this tick. */
export interface Observation {
  /** On-demand instances the fallback holds now, read from the group itself. */
  readonly added: number;
  /** More on-demand instances needed to cover the Spot capacity missing now (0 when nothing is missing). */
  readonly shortfall: number;
  /** When Spot launches failed with capacity errors, epoch ms, within the reader's look-back. */
  readonly capacityErrorTimes: readonly number[];
}

/** What the controller remembers between ticks (kept in an SSM parameter). */
export interface FallbackState {
  readonly phase: "spot" | "fallback";
  /** Current hold before stepping back; doubles on each flap. */
  readonly holdSeconds: number;
  /** First capacity error of the current starving streak. */
  readonly starvingSince?: number;
  readonly lastErrorAt?: number;
  readonly lastRaiseAt?: number;
  readonly lastStepDownAt?: number;
  /** `added` before the last step back: restored when Spot fails again right after it. */
  readonly levelBeforeStepDown?: number;
  readonly fallbackSince?: number;
}

export type FallbackEvent = "fallback-started" | "raised" | "stepped-down" | "flapped" | "recovered" | "adopted";

export interface Decision {
  readonly state: FallbackState;
  /** On-demand instances to hold from now on. */
  readonly added: number;
  /** The cost cap kept `added` below what the shortfall asked for. */
  readonly capped: boolean;
  readonly events: readonly FallbackEvent[];
}

export function initialState(settings: FallbackSettings): FallbackState {
  return { phase: "spot", holdSeconds: settings.recoveryHoldSeconds };
}

const ms = (seconds: number) => seconds * 1000;

export function decide(observation: Observation, previous: FallbackState, settings: FallbackSettings, now: number): Decision {
  const events: FallbackEvent[] = [];
  const errors = observation.capacityErrorTimes.filter((time) => time <= now);
  const lastErrorAt = Math.max(previous.lastErrorAt ?? -Infinity, ...errors);
  const errorsCurrent = Number.isFinite(lastErrorAt) && now - lastErrorAt <= ms(settings.errorWindowSeconds);
  let state: FallbackState = { ...previous, ...(Number.isFinite(lastErrorAt) ? { lastErrorAt } : {}) };
  let added = observation.added;
  let capped = false;

  // Found holding on-demand without remembering why (state lost, or a hand-made change): own it.
  if (state.phase === "spot" && added > 0) {
    state = { ...state, phase: "fallback", fallbackSince: now, lastRaiseAt: now };
    events.push("adopted");
  }

  // Spot failed again right after a step back: undo the step, and wait longer before the next.
  const stepDownAt = previous.lastStepDownAt;
  if (stepDownAt !== undefined && errors.some((time) => time > stepDownAt)) {
    added = Math.max(added, Math.min(settings.maxAddedInstances, previous.levelBeforeStepDown ?? added));
    state = {
      ...state,
      phase: added > 0 ? "fallback" : state.phase,
      holdSeconds: Math.min(settings.maxRecoveryHoldSeconds, state.holdSeconds * 2),
      lastStepDownAt: undefined,
      levelBeforeStepDown: undefined,
      lastRaiseAt: now,
    };
    events.push("flapped");
  }

  const starving = observation.shortfall > 0 && errorsCurrent;
  if (starving) {
    const streakStart = Math.min(...errors.filter((time) => now - time <= ms(settings.errorWindowSeconds)), now);
    const starvingSince = state.starvingSince ?? streakStart;
    state = { ...state, starvingSince };
    const sustained = state.phase === "fallback" || now - starvingSince >= ms(settings.sustainSeconds);
    const settled = state.lastRaiseAt === undefined || now - state.lastRaiseAt >= ms(settings.settleSeconds);
    if (sustained && settled) {
      const wanted = added + observation.shortfall;
      const target = Math.min(settings.maxAddedInstances, wanted);
      capped = wanted > settings.maxAddedInstances;
      if (target > added) {
        events.push(state.phase === "fallback" ? "raised" : "fallback-started");
        added = target;
        state = { ...state, phase: "fallback", lastRaiseAt: now, fallbackSince: state.fallbackSince ?? now };
      }
    }
  } else {
    state = { ...state, starvingSince: undefined };
    if (state.phase === "fallback" && added > 0 && !events.includes("flapped")) {
      const quietSince = Math.max(state.lastErrorAt ?? -Infinity, state.lastRaiseAt ?? -Infinity);
      const quiet = !Number.isFinite(quietSince) || now - quietSince >= ms(state.holdSeconds);
      const stepDue = state.lastStepDownAt === undefined || now - state.lastStepDownAt >= ms(settings.recoveryStepIntervalSeconds);
      if (quiet && stepDue) {
        state = { ...state, lastStepDownAt: now, levelBeforeStepDown: added };
        added = Math.max(0, added - settings.recoveryStepInstances);
        events.push("stepped-down");
      }
    }
  }

  // Back on Spot once nothing is held and the last step has been given its interval to fail.
  const lastStepSettled = state.lastStepDownAt === undefined || now - state.lastStepDownAt >= ms(settings.recoveryStepIntervalSeconds);
  if (state.phase === "fallback" && added === 0 && !starving && lastStepSettled) {
    state = { ...state, phase: "spot", fallbackSince: undefined, lastStepDownAt: undefined, levelBeforeStepDown: undefined };
    events.push("recovered");
  }
  // A long quiet spell forgets the flapping.
  if (state.phase === "spot" && (state.lastErrorAt === undefined || now - state.lastErrorAt >= ms(settings.maxRecoveryHoldSeconds))) {
    state = { ...state, holdSeconds: settings.recoveryHoldSeconds };
  }
  return { state: withoutUndefined(state), added, capped, events };
}

function withoutUndefined(state: FallbackState): FallbackState {
  return Object.fromEntries(Object.entries(state).filter(([, value]) => value !== undefined)) as unknown as FallbackState;
}
