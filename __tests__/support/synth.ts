import { App, Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { parseEnvironmentConfig, type EnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { PlatformStack } from "../../stacks/platform-stack";
import { EXAMPLES, type ExampleName } from "./examples";

/** Synthesized Terraform JSON of one stack. */
export interface Synthesized {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value: unknown }>;
  readonly provider?: Record<string, Array<Record<string, unknown>>>;
  readonly terraform?: Record<string, unknown>;
  readonly locals?: Record<string, unknown>;
}

/** Synthesizes the constructs `build` adds to a bare stack (with an AWS provider) and parses the JSON. */
export function synthConstructs(build: (scope: Construct) => void): Synthesized {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  build(stack);
  return JSON.parse(Testing.synth(stack)) as Synthesized;
}

/**
 * Registered environments and shipped examples, synthesized once per test worker (workers share modules: isolate is
 * off), by their input: an example that is also registered is the same object, synthesized once.
 */
const shippedSynths = new Map<EnvironmentInput, { text: string; stack: PlatformStack; config: EnvironmentConfig }>();

/**
 * A whole environment's stack, from a registered environment (by name) or a config input. A registered one is
 * synthesized once per worker; each call still gets its own JSON and config to change.
 */
export function synthEnvironment(input: EnvironmentInput | keyof typeof ENVIRONMENTS): { json: Synthesized; stack: PlatformStack; config: EnvironmentConfig } {
  if (typeof input === "string") return cachedSynth(ENVIRONMENTS[input], `registered environment ${input}`);
  const { stack, config, text } = synthesize(input);
  return { json: JSON.parse(text) as Synthesized, stack, config };
}

/** A shipped example's stack (support/examples.ts), synthesized once per worker like a registered one. */
export function synthExample(name: ExampleName): { json: Synthesized; stack: PlatformStack; config: EnvironmentConfig } {
  return cachedSynth(EXAMPLES[name], `example ${name}`);
}

function cachedSynth(input: EnvironmentInput | undefined, what: string): { json: Synthesized; stack: PlatformStack; config: EnvironmentConfig } {
  if (input === undefined) throw new Error(`no such environment: ${what}`);
  let shipped = shippedSynths.get(input);
  if (shipped === undefined) {
    shipped = synthesize(input);
    shippedSynths.set(input, shipped);
  }
  return { json: JSON.parse(shipped.text) as Synthesized, stack: shipped.stack, config: structuredClone(shipped.config) };
}

function synthesize(input: EnvironmentInput): { stack: PlatformStack; config: EnvironmentConfig; text: string } {
  const config = parseEnvironmentConfig(input);
  const app: App = Testing.app();
  const stack = new PlatformStack(app, config.environment, config);
  return { stack, config, text: Testing.synth(stack) };
}

/** Every resource of a Terraform type, without relying on hashed logical ids. */
export function resourcesOfType(json: Synthesized, type: string): Array<Record<string, any>> {
  return Object.values(json.resource?.[type] ?? {});
}

/** The only resource of a type; fails when there are none or several. */
export function soleResource(json: Synthesized, type: string): Record<string, any> {
  const found = resourcesOfType(json, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0];
}

/** Every data source of a Terraform type. */
export function dataSourcesOfType(json: Synthesized, type: string): Array<Record<string, any>> {
  return Object.values(json.data?.[type] ?? {});
}
