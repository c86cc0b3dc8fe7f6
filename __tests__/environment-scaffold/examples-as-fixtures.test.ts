import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "vitest";
import { filesBelow } from "../support/files";

/**
 * A team registers its own environments and takes the examples out of the registry (docs/getting-started.md,
 * "Replacing the examples"): a test that needs an example's shape reads it from support/examples.ts, and only
 * tests about every registered environment read the registry. These are the ways a test reaches an example
 * through the registry by name.
 */
const THROUGH_THE_REGISTRY: ReadonlyArray<[string, RegExp]> = [
  ["a registry entry by name", /\bENVIRONMENTS(?:\.[a-z]|\[\s*["'`])/],
  ["a registered environment's synth, stack or input by a literal name", /\b(?:synthEnvironment|shippedStack|shippedInput|predictChange)\(\s*["'`]/],
];

test("GIVEN the test files WHEN one names an environment THEN it is an example from support/examples.ts, not the registry", () => {
  const root = path.resolve(__dirname, "..");
  const found = [...filesBelow(root).keys()]
    .filter((file) => file.endsWith(".ts"))
    .flatMap((file) =>
      fs
        .readFileSync(path.join(root, file), "utf8")
        .split("\n")
        .flatMap((line, index) => THROUGH_THE_REGISTRY.filter(([, pattern]) => pattern.test(line)).map(([what]) => `${file}:${index + 1}: ${what}: ${line.trim()}`)),
    );
  expect(found).toEqual([]);
});
