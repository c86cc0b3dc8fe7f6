import { ENVIRONMENTS } from "../../stacks/environments";
import { synthEnvironment, type Synthesized } from "./synth";

/** A shipped environment's stack as `Testing.synth` gives it, and as cdktf writes it (with each resource's `//` metadata). */
export interface ShippedStack {
  /** Aspects applied, keys sorted, metadata stripped. */
  readonly json: Synthesized;
  /** What `cdk.tf.json` holds: every resource keeps its construct path in `//.metadata.path`. */
  readonly withMetadata: Synthesized;
}

const synthesized = new Map<string, ShippedStack>();

/**
 * A shipped environment, synthesized once per test worker and shared by the files that only read it
 * (the suite keeps one module cache per worker). Do not mutate the result.
 */
export function shippedStack(environment: keyof typeof ENVIRONMENTS): ShippedStack {
  let shipped = synthesized.get(environment);
  if (shipped === undefined) {
    const { json, stack } = synthEnvironment(environment);
    shipped = { json, withMetadata: stack.toTerraform() as Synthesized };
    synthesized.set(environment, shipped);
  }
  return shipped;
}

/** The names of every shipped environment. */
export const SHIPPED_ENVIRONMENTS = Object.keys(ENVIRONMENTS) as Array<keyof typeof ENVIRONMENTS>;
