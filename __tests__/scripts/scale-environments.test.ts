import { describe, expect, test } from "vitest";
import { validateEnvironment } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
// @ts-expect-error -- a plain ES module of the benchmark, without type declarations
import { scaleEnvironments } from "../../scripts/scale-environments.mjs";

describe("the benchmark's scale case (npm run bench)", () => {
  // Config rules grow with the platform: the generated environments must keep passing them, or the bench stops.
  const generated = scaleEnvironments(ENVIRONMENTS, { environments: 4, services: 30 }) as Record<string, { environment: string }>;

  test("environments named by their stack, each valid with 30 services", () => {
    expect(Object.keys(generated)).toEqual(["scale00", "scale01", "scale02", "scale03"]);
    for (const [name, input] of Object.entries(generated)) {
      const { config } = validateEnvironment(input, { once: true });
      expect(config.environment).toBe(name);
      expect(config.services).toHaveLength(30);
    }
  });

  test("the shipped environments are taken in turn and left as they were", () => {
    const shipped = Object.values(ENVIRONMENTS).map((input) => JSON.stringify(input));
    scaleEnvironments(ENVIRONMENTS, { environments: 2, services: 30 });
    expect(Object.values(ENVIRONMENTS).map((input) => JSON.stringify(input))).toEqual(shipped);
    const networks = Object.values(ENVIRONMENTS).map((input) => input.network);
    const inTurn = Object.keys(generated).map((_, index) => networks[index % networks.length]);
    expect(Object.values(generated).map((input) => (input as unknown as { network: unknown }).network)).toEqual(inTurn);
  });
});
