/**
 * `npm run report -- <environment> [--json] [--out <dir>]`: the Spot capacity report of one
 * environment. Exit 0 on success (advice is not a failure), 1 when the report could not be made,
 * 2 for bad input (arguments, unknown environment, invalid config).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parseEnvironmentConfig, type EnvironmentInput } from "../stacks/config";
import { ENVIRONMENTS } from "../stacks/environments";
import { renderChart } from "./chart";
import { loadSpotDataset } from "../stacks/spot-advice/dataset";
import { buildSpotReport, renderMarkdown } from "./report";

export const DEFAULT_OUT_DIR = path.join("cdktf.out", "spot-report");

export const USAGE = `Usage: npm run report -- <environment> [--json] [--out <dir>]

The Spot capacity report of one environment, from its config and the AWS Spot Instance Advisor
snapshot in spot-advisor/data: each pool's types with vCPU, memory, interruption bucket, savings
and weight; the on-demand/Spot mix; estimated savings vs all on-demand at min, desired and max
capacity; and the Spot pool advice synthesis warns about.

  <environment>  one of the environments in stacks/environments
  --json         print one JSON object on stdout instead of Markdown (writes files only with --out)
  --out <dir>    write <environment>.md and <environment>.svg (and .json with --json) there
                 (default without --json: ${DEFAULT_OUT_DIR})
  -h, --help     this text

Exit codes: 0 report made, 1 failed, 2 bad input.`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface CliOptions {
  readonly environments?: Readonly<Record<string, EnvironmentInput>>;
  /** Folder of the dataset snapshot; default the shipped one. */
  readonly dataDirectory?: string;
}

const processIo: CliIo = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };

export function runReportCli(argv: readonly string[], io: CliIo = processIo, options: CliOptions = {}): number {
  const environments = options.environments ?? ENVIRONMENTS;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { json: { type: "boolean", default: false }, out: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    });
  } catch (error) {
    io.stderr(`report: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const known = Object.keys(environments);
  if (parsed.positionals.length !== 1) {
    io.stderr(`report: expected one environment, got ${parsed.positionals.length}; known: ${known.join(", ")}\n\n${USAGE}\n`);
    return 2;
  }
  const name = parsed.positionals[0];
  const input = Object.hasOwn(environments, name) ? environments[name] : undefined;
  if (input === undefined) {
    io.stderr(`report: unknown environment "${name}"; known: ${known.join(", ")}\n`);
    return 2;
  }
  let config;
  try {
    config = parseEnvironmentConfig(input);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`report: ${error.message}\n`);
    return 2;
  }

  try {
    const dataset = loadSpotDataset(options.dataDirectory);
    const report = buildSpotReport(config, dataset);
    const chart = renderChart(report, dataset.ranges.map((range) => range.label));
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const outDir = parsed.values.out ?? (parsed.values.json ? undefined : DEFAULT_OUT_DIR);
    const markdown = `${renderMarkdown(report, `${name}.svg`)}\n`;
    if (outDir !== undefined) {
      fs.mkdirSync(outDir, { recursive: true });
      const files: Array<[string, string]> = [
        [`${name}.md`, markdown],
        [`${name}.svg`, chart],
      ];
      if (parsed.values.json) files.push([`${name}.json`, json]);
      for (const [file, content] of files) fs.writeFileSync(path.join(outDir, file), content);
      io.stderr(`report: wrote ${files.map(([file]) => path.join(outDir, file)).join(", ")}\n`);
    }
    io.stdout(parsed.values.json ? json : markdown);
    const warnings = report.advice.filter((item) => item.level === "warn").length;
    io.stderr(`report: ${name}: ${warnings} warning(s), estimated savings ${report.estimate.savingsVsOnDemandPercent ?? "n/a"}% at ${report.estimate.basis} capacity\n`);
    return 0;
  } catch (error) {
    io.stderr(`report failed: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = runReportCli(process.argv.slice(2));
