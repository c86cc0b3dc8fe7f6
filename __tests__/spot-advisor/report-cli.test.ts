import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { runReportCli, USAGE } from "../../spot-advisor/report-cli";
import { REGISTERED, unregisteredName } from "../support/new-environments";
import { EXAMPLES } from "../support/examples";

const root = path.resolve(__dirname, "../..");
const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), "spot-report-"));

/** The report CLI on the shipped examples (support/examples.ts), unless `options` gives other environments. */
function run(argv: string[], options: Parameters<typeof runReportCli>[2] = {}) {
  let stdout = "";
  let stderr = "";
  const code = runReportCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, { environments: EXAMPLES, ...options });
  return { code, stdout, stderr };
}

describe("npm run report", () => {
  test("--json: one JSON object on stdout, progress on stderr, exit 0", () => {
    const result = run(["staging", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ environment: "staging", region: "eu-west-1" });
    // the monthly cost estimate, with its assumptions, in the JSON as in the Markdown
    expect(report.monthlyCost).toMatchObject({ hoursPerMonth: 730, priceRegion: "eu-west-1", fixed: [expect.objectContaining({ item: "load balancer" }), expect.objectContaining({ item: "NAT gateways" })] });
    expect(report.monthlyCost.assumptions.length).toBeGreaterThan(2);
    expect(run(["staging", "--out", scratch()]).stdout).toMatch(/## Monthly cost estimate[\s\S]*\| floor \(every group at its minimum\) \| \d+ \| \d+ \| [\d.]+% \|[\s\S]*\*\*\$[\d.]+ a month\*\* before usage/);
    expect(result.stderr).toMatch(/^report: staging: 2 warning\(s\), estimated savings [\d.]+% at max capacity\n$/);
  });

  test("Markdown by default, with <environment>.md and .svg written to --out", () => {
    const out = path.join(scratch(), "reports");
    const result = run(["production", "--out", out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^# Spot capacity report: production \(eu-west-1, x86_64\)/);
    expect(fs.readdirSync(out).sort()).toEqual(["production.md", "production.svg"]);
    expect(fs.readFileSync(path.join(out, "production.md"), "utf8")).toBe(result.stdout);
    expect(fs.readFileSync(path.join(out, "production.svg"), "utf8")).toMatch(/^<svg /);
  });

  test("--json with --out also writes the JSON beside the Markdown and SVG", () => {
    const out = scratch();
    const result = run(["staging", "--json", "--out", out]);
    expect(result.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(["staging.json", "staging.md", "staging.svg"]);
    expect(JSON.parse(fs.readFileSync(path.join(out, "staging.json"), "utf8"))).toEqual(JSON.parse(result.stdout));
  });

  test("--help prints the usage and exits 0", () => {
    expect(run(["--help"])).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: "" });
    expect(USAGE).toContain("Exit codes: 0 report made, 1 failed, 2 bad input.");
  });

  const known = Object.keys(EXAMPLES).join(", ");
  // new-env refuses "constructor": a plain-object lookup of it must not find Object.prototype's.
  test.each([
    [["qa"], `report: unknown environment "qa"; known: ${known}\n`],
    [["constructor"], `report: unknown environment "constructor"; known: ${known}\n`],
    [[], `report: expected one environment, got 0; known: ${known}`],
    [["staging", "production"], `report: expected one environment, got 2; known: ${known}`],
    [["staging", "--colour"], "report: Unknown option '--colour'"],
    [["staging", "--out"], "report: Option '--out <value>' argument missing"],
  ])("bad input %j exits 2 with a message and writes nothing to stdout", (argv, message) => {
    const result = run(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.startsWith(message)).toBe(true);
  });

  test("an invalid environment config exits 2 listing its problems", () => {
    const result = run(["staging"], { environments: { staging: { ...EXAMPLES.staging, region: "moon-1" } } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('report: invalid configuration for environment "staging":\n  - region: must be an AWS region such as eu-west-1 (got "moon-1")\n');
  });

  test("a missing dataset exits 1 with the reason, and writes no partial output", () => {
    const out = path.join(scratch(), "reports");
    const result = run(["staging", "--out", out], { dataDirectory: scratch() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^report failed: ENOENT: no such file or directory, open '.*spot-advisor-data\.meta\.json'\n$/);
    expect(result.stdout).toBe("");
    expect(fs.existsSync(out)).toBe(false);
  });

  test("as a process: loads no cdktf module, and exit codes reach the shell", () => {
    const tsx = path.join(root, "node_modules", ".bin", "tsx");
    const probe = path.join(scratch(), "probe.ts");
    fs.writeFileSync(
      probe,
      [
        `const { runReportCli } = require(${JSON.stringify(path.join(root, "spot-advisor", "report-cli"))});`,
        `const code = runReportCli([${JSON.stringify(REGISTERED[0])}, "--json"], { stdout: () => undefined, stderr: () => undefined });`,
        `const loaded = Object.keys(require.cache).filter((file) => /node_modules[\\\\/](cdktf|@cdktf|constructs)[\\\\/]/.test(file));`,
        `const config = Object.keys(require.cache).includes(${JSON.stringify(path.join(root, "stacks", "config", "index.ts"))});`,
        `console.log(JSON.stringify({ code, loaded, config }));`,
      ].join("\n"),
    );
    const probed = spawnSync(tsx, [probe], { cwd: root, encoding: "utf8" });
    expect(probed.stderr).toBe("");
    expect(JSON.parse(probed.stdout)).toEqual({ code: 0, loaded: [], config: true });

    const unknown = spawnSync(tsx, ["spot-advisor/report-cli.ts", unregisteredName()], { cwd: root, encoding: "utf8" });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(`report: unknown environment "${unregisteredName()}"; known: ${REGISTERED.join(", ")}\n`);
  });
});
