import { App, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { spotPoolWarnings } from "../../../stacks/spot-advice/advice";
import { parseEnvironmentConfig, type EnvironmentInput } from "../../../stacks/config";
import { PlatformStack } from "../../../stacks/platform-stack";
import { EXAMPLES } from "../../support/examples";

const WARN = "@cdktf/warn";

function build(input: EnvironmentInput) {
  const config = parseEnvironmentConfig(input);
  const app: App = Testing.app();
  const stack = new PlatformStack(app, config.environment, config);
  const json = Testing.synth(stack);
  const warnings = stack.node.metadata.filter((entry) => entry.type === WARN).map((entry) => entry.data);
  return { stack, json, warnings, config };
}

/** staging with every piece of advice acknowledged. */
function acknowledgedStaging(): EnvironmentInput {
  const input: any = structuredClone(EXAMPLES.staging);
  input.capacity.spotAdvice = { acknowledge: [{ rule: "high-interruption", reason: "staging accepts interruptions for the cheapest burstable pools" }] };
  return input;
}

describe("Spot pool advice at synth", () => {
  test("staging: each unacknowledged warning becomes one warning annotation on the stack, never an error", () => {
    const { stack, warnings, config } = build(EXAMPLES.staging);
    expect(warnings).toEqual(spotPoolWarnings(config));
    expect(warnings.length).toBeGreaterThan(0);
    expect(stack.spotAdviceWarnings).toEqual(warnings);
    expect(stack.node.metadata.filter((entry) => entry.type === "@cdktf/error")).toEqual([]);
  });

  test("production: no advice, no annotations", () => {
    expect(build(EXAMPLES.production).warnings).toEqual([]);
  });

  test("advice changes nothing in the synthesized Terraform JSON: acknowledging it all gives the same stack", () => {
    const warned = build(EXAMPLES.staging);
    const acknowledged = build(acknowledgedStaging());
    expect(acknowledged.warnings).toEqual([]);
    expect(acknowledged.json).toBe(warned.json);
  });
});
