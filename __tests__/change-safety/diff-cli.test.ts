import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { EXIT_STATUS, HELP, parseOptions } from "../../change-safety/diff-options";
import { UsageError, resolveBase } from "../../change-safety/git-base";
import { REGISTERED, unregisteredName } from "../support/new-environments";

const ROOT = path.resolve(__dirname, "../..");
const KNOWN = ["staging", "production"];

/** Runs `npm run diff -- <args>` as a user would, without npm's own output. */
function diff(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "change-safety/diff-cli.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("parseOptions", () => {
  test.each<[string, string[], unknown]>([
    ["defaults", [], { base: undefined, environments: [], format: "text" }],
    ["a base, environments (deduplicated) and JSON", ["--base", "v1.2", "production", "staging", "production", "--json"], { base: "v1.2", environments: ["production", "staging"], format: "json" }],
    ["markdown", ["--markdown"], { base: undefined, environments: [], format: "markdown" }],
    ["help", ["--help"], "help"],
  ])("%s", (_case, argv, expected) => {
    expect(parseOptions(argv, KNOWN)).toEqual(expected);
  });

  test.each<[string, string[], string]>([
    ["an unknown environment, listing the known ones", ["qa"], "unknown environment(s) qa; known: staging, production"],
    ["an unknown option", ["--bse", "main"], "Unknown option '--bse'"],
    ["--base without a ref", ["--base"], "Option '--base <value>' argument missing"],
    ["both output formats", ["--json", "--markdown"], "--json and --markdown exclude each other"],
  ])("refuses %s", (_case, argv, message) => {
    expect(() => parseOptions(argv, KNOWN)).toThrow(UsageError);
    expect(() => parseOptions(argv, KNOWN)).toThrow(message);
  });
});

describe("exit status", () => {
  test("separates safe, costly (stateful or disruptive replaced) and refused from bad input, and --help says so", () => {
    expect(EXIT_STATUS).toEqual({ safe: 0, costly: 1, refused: 3 });
    expect(HELP).toContain("2 bad input,\n3 terraform plan or apply will FAIL");
  });
});

describe("resolveBase", () => {
  test("takes a ref to its commit, and refuses what is not one", () => {
    expect(resolveBase(ROOT, "HEAD")).toEqual({ ref: "HEAD", commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(() => resolveBase(ROOT, "no-such-ref-anywhere")).toThrow(new UsageError('--base: "no-such-ref-anywhere" is not a commit, branch or tag in this repository'));
  });
});

describe("npm run diff", () => {
  test("bad input exits 2 before synthesizing anything, with the reason on stderr", () => {
    const name = unregisteredName();
    const unknown = diff(name);
    expect([unknown.status, unknown.stdout, unknown.stderr]).toEqual([2, "", `diff: unknown environment(s) ${name}; known: ${REGISTERED.join(", ")}\n`]);
  });

  test("end to end against HEAD: JSON on stdout, progress on stderr, and another checkout directory is no change", { timeout: 90_000 }, () => {
    // GIVEN the committed HEAD as base (exported to a temporary directory) and the working tree
    // WHEN a registered environment is diffed as JSON
    const [environment] = REGISTERED;
    const result = diff("--base", "HEAD", environment, "--json");

    // THEN the report is for it against HEAD, its exit status follows the stateful losses,
    // and the local backend's machine-specific path is not reported as a change
    expect(result.stderr).toMatch(/^synthesizing base [0-9a-f]{12} \(HEAD\) and the working tree\.\.\.\n/);
    const report = JSON.parse(result.stdout) as { base: { ref: string; commit: string }; verdict: keyof typeof EXIT_STATUS; environments: Array<{ environment: string; verdict: string; settings: unknown[] }> };
    expect(report.base).toEqual({ ref: "HEAD", commit: spawnSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim() });
    expect(report.environments.map((entry) => entry.environment)).toEqual([environment]);
    expect(report.environments[0].settings).toEqual([]);
    expect(report.environments.map((environment) => environment.verdict)).toEqual([report.verdict]);
    expect(result.status).toBe(EXIT_STATUS[report.verdict]);
  });
});
