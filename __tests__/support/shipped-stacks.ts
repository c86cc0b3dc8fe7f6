import { ENVIRONMENTS } from "../../stacks/environments";
import type { ExampleName } from "./examples";
import { synthEnvironment, synthExample, type Synthesized } from "./synth";

/** A shipped environment's stack as `Testing.synth` gives it, and as cdktf writes it (with each resource's `//` metadata). */
export interface ShippedStack {
  /** Aspects applied, keys sorted, metadata stripped. */
  readonly json: Synthesized;
  /** What `cdk.tf.json` holds: every resource keeps its construct path in `//.metadata.path`. */
  readonly withMetadata: Synthesized;
}

const synthesized = new Map<string, ShippedStack>();

function shared(key: string, synth: () => ReturnType<typeof synthEnvironment>): ShippedStack {
  let shipped = synthesized.get(key);
  if (shipped === undefined) {
    const { json, stack } = synth();
    shipped = { json, withMetadata: stack.toTerraform() as Synthesized };
    synthesized.set(key, shipped);
  }
  return shipped;
}

/**
 * A registered environment, synthesized once per test worker and shared by the files that only read it
 * (the suite keeps one module cache per worker). Do not mutate the result.
 */
export function shippedStack(environment: keyof typeof ENVIRONMENTS): ShippedStack {
  return shared(`registered ${environment}`, () => synthEnvironment(environment));
}

/** A shipped example (support/examples.ts), shared the same way. Do not mutate the result. */
export function exampleStack(name: ExampleName): ShippedStack {
  return shared(`example ${name}`, () => synthExample(name));
}

/** The names of every registered environment. */
export const SHIPPED_ENVIRONMENTS = Object.keys(ENVIRONMENTS) as Array<keyof typeof ENVIRONMENTS>;
