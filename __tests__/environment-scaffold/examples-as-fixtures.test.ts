import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "vitest";
import { EXAMPLES } from "../support/examples";
import { filesBelow } from "../support/files";

/**
 * A team registers its own environments and takes the examples out of the registry (docs/getting-started.md,
 * "Replacing the examples"): a test that needs an example's shape reads it from support/examples.ts, and only
 * tests about every registered environment read the registry. These are the ways a test names an example through
 * the registry, line by line (a name held in a variable is beyond a text check: the suite was also run with only
 * a new-env copy registered, see the docs).
 */
const example = `(?:${Object.keys(EXAMPLES).join("|")})`;
const THROUGH_THE_REGISTRY: ReadonlyArray<[string, RegExp]> = [
  ["a registry entry by name", new RegExp(`\\bENVIRONMENTS(?:\\?\\.|\\.|\\[\\s*["'\`])${example}\\b`)],
  ["an example taken out of the registry", new RegExp(`\\{[^}]*\\b${example}\\b[^}]*\\}\\s*=\\s*ENVIRONMENTS\\b`)],
  ["a registered environment's synth, stack or input by an example's name", new RegExp(`\\b(?:synthEnvironment|shippedStack|shippedInput|predictChange)\\(\\s*["'\`]${example}["'\`]`)],
  ["the release tools' lookup by an example's name", new RegExp(`\\bloadEnvironment\\(\\s*ENVIRONMENTS\\s*,\\s*["'\`]${example}["'\`]`)],
  ["the app selecting an example", new RegExp(`PLATFORM_ENVIRONMENTS:\\s*["'\`]${example}["'\`]`)],
];

/** The offending lines of a test file's text (comment lines are not code). */
function throughTheRegistry(text: string): string[] {
  return text
    .split("\n")
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => !/^(?:\/\/|\/?\*)/.test(line))
    .flatMap(({ line, number }) => THROUGH_THE_REGISTRY.filter(([, pattern]) => pattern.test(line)).map(([what]) => `${number}: ${what}: ${line}`));
}

test("GIVEN the test files WHEN one names an example THEN it reads it from support/examples.ts, not the registry", () => {
  const root = path.resolve(__dirname, "..");
  // This file's own table below holds the lines the check must find.
  const files = [...filesBelow(root).keys()].filter((file) => file.endsWith(".ts") && file !== path.relative(root, __filename));
  expect(files.length).toBeGreaterThan(100);
  expect(files.flatMap((file) => throughTheRegistry(fs.readFileSync(path.join(root, file), "utf8")).map((found) => `${file}:${found}`))).toEqual([]);
});

test.each([
  ["const input = ENVIRONMENTS.staging;", 1],
  ["const input = ENVIRONMENTS?.production;", 1],
  ['const input = ENVIRONMENTS["production"];', 1],
  ["const { staging } = ENVIRONMENTS;", 1],
  ['const { json } = synthEnvironment("staging");', 1],
  ['const config = loadEnvironment(ENVIRONMENTS, "production");', 1],
  ['const env = { CDKTF_OUTDIR: out, PLATFORM_ENVIRONMENTS: "staging" };', 1],
  ["// ENVIRONMENTS.staging in a comment", 0],
  ["const input = ENVIRONMENTS.qa; // a team's own environment", 0],
  ['const { json } = synthEnvironment("qa");', 0],
  ["const { json } = synthEnvironment(name);", 0],
  ["const input = EXAMPLES.staging;", 0],
])("GIVEN the line %j THEN the check finds %d", (line, found) => {
  expect(throughTheRegistry(line)).toHaveLength(found);
});
