import { predictPlan, type PredictedPlan } from "../../change-safety/stack-diff";
import type { StackJson } from "../../change-safety/stack-json";
import { parseEnvironmentConfig, type EnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { shippedStack } from "./shipped-stacks";
import { synthEnvironment, type Synthesized } from "./synth";

/** A shipped environment's input, fresh to change. */
export const shippedInput = (environment: string): EnvironmentInput => structuredClone(ENVIRONMENTS[environment]) as EnvironmentInput;

/** What a day-2 change does to a shipped environment: the changed config, its stack, and the predicted plan from the shipped stack. */
export interface PredictedChange {
  readonly config: EnvironmentConfig;
  readonly head: Synthesized;
  readonly plan: PredictedPlan;
}

/**
 * Applies `change` to a copy of a shipped environment's input (or, given a stack, to a copy of its
 * synthesized JSON), synthesizes the result once and predicts `terraform plan` from the shipped stack.
 */
export function predictChange(environment: string, change: { input?: (input: EnvironmentInput, config: EnvironmentConfig) => void; stack?: (stack: Synthesized) => void }): PredictedChange {
  const base = shippedStack(environment).json;
  const baseConfig = parseEnvironmentConfig(ENVIRONMENTS[environment]);
  let head: Synthesized;
  let config = baseConfig;
  if (change.input) {
    const input = shippedInput(environment);
    change.input(input, baseConfig);
    const synthesized = synthEnvironment(input);
    head = synthesized.json;
    config = synthesized.config;
  } else head = structuredClone(base);
  change.stack?.(head);
  return { config, head, plan: predictPlan(environment, base as StackJson, head as StackJson) };
}
