import { ENVIRONMENTS } from "../../stacks/environments";
import type { EnvironmentInput } from "../../stacks/config";
import { EXAMPLES, type ExampleName } from "./examples";
import { synthEnvironment, synthExample, type Synthesized } from "./synth";

/** A shipped environment's stack as `Testing.synth` gives it, and as cdktf writes it (with each resource's `//` metadata). */
export interface ShippedStack {
  /** Aspects applied, keys sorted, metadata stripped. */
  readonly json: Synthesized;
  /** What `cdk.tf.json` holds: every resource keeps its construct path in `//.metadata.path`. */
  readonly withMetadata: Synthesized;
}

/** By input, as support/synth.ts caches: an example that is also registered is one stack. */
const synthesized = new Map<EnvironmentInput | undefined, ShippedStack>();

function shared(input: EnvironmentInput | undefined, synth: () => ReturnType<typeof synthEnvironment>): ShippedStack {
  let shipped = synthesized.get(input);
  if (shipped === undefined) {
    const { json, stack } = synth();
    shipped = { json, withMetadata: stack.toTerraform() as Synthesized };
    synthesized.set(input, shipped);
  }
  return shipped;
}

/**
 * A registered environment, synthesized once per test worker and shared by the files that only read it
 * (the suite keeps one module cache per worker). Do not mutate the result.
 */
export function shippedStack(environment: keyof typeof ENVIRONMENTS): ShippedStack {
  return shared(ENVIRONMENTS[environment], () => synthEnvironment(environment));
}

/** A shipped example (support/examples.ts), shared the same way. Do not mutate the result. */
export function exampleStack(name: ExampleName): ShippedStack {
  return shared(EXAMPLES[name], () => synthExample(name));
}

/** The names of every registered environment. */
export const SHIPPED_ENVIRONMENTS = Object.keys(ENVIRONMENTS) as Array<keyof typeof ENVIRONMENTS>;
