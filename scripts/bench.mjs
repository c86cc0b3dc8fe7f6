// Synthesizes through the cdktf app entry and prints median wall time, median CPU time and peak
// memory next to the floor, a bare `require("cdktf")` measured the same way, for two cases:
// - shipped: every environment in stacks/environments (budget: under 2.5x the floor);
// - scale: 20 environments x 30 services (~10k resources) generated from the shipped ones at bench
//   time and built into a bundle of their own (budget: under 5 s and 300 MiB).
// The three are run in turn in every round, so a busy machine slows them alike; CPU time (user +
// system) is the steadier figure where others share the machine.
// Usage: npm run bench [-- --runs 7] [-- --json]
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundleApp, ensureAppBundle } from "./app-bundle.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BUDGET = { shippedRatio: 2.5, scaleSeconds: 5, scaleMiB: 300 };
const SCALE = { environments: 20, services: 30 };

const args = process.argv.slice(2);
if (args.includes("--help")) {
  process.stdout.write("Usage: npm run bench [-- --runs N] [-- --json]\nSynth time and memory of the shipped environments and of a generated 20 x 30 scale case, against require('cdktf').\n");
  process.exit(0);
}
const runsFlag = args.indexOf("--runs");
const runs = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 7;
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write("--runs must be a positive integer\n");
  process.exit(2);
}
const json = args.includes("--json");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
const probe = path.join(root, "scripts", "bench-probe.cjs");
const log = (line) => process.stderr.write(`${line}\n`);

function measure(nodeArgs, env = {}) {
  const reportFile = path.join(scratch, "report.json");
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ["--require", probe, ...nodeArgs], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env, BENCH_REPORT_FILE: reportFile },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${nodeArgs.join(" ")} failed:\n${run.stderr}`);
  const report = JSON.parse(fs.readFileSync(reportFile, "utf8"));
  return { seconds, cpuSeconds: report.cpuMicros / 1e6, rssMiB: report.maxRssKiB / 1024 };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function summarize(label, samples) {
  const result = {
    label,
    seconds: median(samples.map((s) => s.seconds)),
    cpuSeconds: median(samples.map((s) => s.cpuSeconds)),
    rssMiB: Math.max(...samples.map((s) => s.rssMiB)),
  };
  log(`${label.padEnd(40)} median ${result.seconds.toFixed(3)} s wall, ${result.cpuSeconds.toFixed(3)} s CPU   peak RSS ${result.rssMiB.toFixed(0)} MiB`);
  return result;
}

/** The app bundle with stacks/environments replaced by the generated scale case. */
async function buildScaleBundle() {
  // Inside the project: the app finds its data (Spot advisor, cdktf.json) above its own file.
  const outfile = path.join(root, ".build", "bench-scale", "app.cjs");
  const generated = [
    `import { ENVIRONMENTS as shipped } from ${JSON.stringify(path.join(root, "stacks", "environments", "index.ts"))};`,
    `import { scaleEnvironments } from ${JSON.stringify(path.join(root, "scripts", "scale-environments.mjs"))};`,
    `export const ENVIRONMENTS = scaleEnvironments(shipped, ${JSON.stringify(SCALE)});`,
  ].join("\n");
  const scaleEnvironmentsPlugin = {
    name: "scale-environments",
    setup(build) {
      build.onResolve({ filter: /^\.\/stacks\/environments$/ }, (resolved) =>
        resolved.importer === path.join(root, "main.ts") ? { path: "scale-environments", namespace: "bench" } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: "bench" }, () => ({ contents: generated, loader: "ts", resolveDir: root }));
    },
  };
  await bundleApp({ outfile, plugins: [scaleEnvironmentsPlugin] });
  return outfile;
}

try {
  // Warm the bundle caches first (app bundle, V8 code caches, Lambda bundles): the benchmark measures a synth, not a first build.
  await ensureAppBundle();
  const scaleBundle = await buildScaleBundle();
  const runScale = ["--input-type=module", "-e", `import { runBundle } from ${JSON.stringify(pathToFileURL(path.join(root, "scripts", "app-bundle.mjs")).href)}; runBundle(${JSON.stringify(scaleBundle)});`];
  const cases = [
    { label: "floor: node -e require('cdktf')", args: ["-e", "require('cdktf')"] },
    { label: "shipped: all environments", args: ["scripts/app.mjs"], env: { CDKTF_OUTDIR: path.join(scratch, "out"), PLATFORM_ENVIRONMENTS: "" } },
    { label: `scale: ${SCALE.environments} environments x ${SCALE.services} services`, args: runScale, env: { CDKTF_OUTDIR: path.join(scratch, "scale-out"), PLATFORM_ENVIRONMENTS: "" } },
  ];
  for (const { args: nodeArgs, env } of cases.slice(1)) measure(nodeArgs, env);
  const resourceCount = countResources(path.join(scratch, "scale-out"));

  const samples = cases.map(() => []);
  for (let round = 0; round < runs; round++) cases.forEach(({ args: nodeArgs, env }, index) => samples[index].push(measure(nodeArgs, env)));
  const [floor, shipped, scale] = cases.map(({ label }, index) => summarize(label, samples[index]));

  const shippedRatio = shipped.seconds / floor.seconds;
  const shippedCpuRatio = shipped.cpuSeconds / floor.cpuSeconds;
  const checks = {
    shippedRatio: shippedRatio < BUDGET.shippedRatio,
    scaleSeconds: scale.seconds < BUDGET.scaleSeconds,
    scaleMiB: scale.rssMiB < BUDGET.scaleMiB,
  };
  log(`shipped / floor: ${shippedRatio.toFixed(2)}x wall, ${shippedCpuRatio.toFixed(2)}x CPU (budget < ${BUDGET.shippedRatio}x): ${checks.shippedRatio ? "met" : "NOT met"}`);
  log(
    `scale (${resourceCount} resources): ${scale.seconds.toFixed(2)} s wall, ${scale.cpuSeconds.toFixed(2)} s CPU, ${scale.rssMiB.toFixed(0)} MiB (budget < ${BUDGET.scaleSeconds} s, < ${BUDGET.scaleMiB} MiB): ${checks.scaleSeconds && checks.scaleMiB ? "met" : "NOT met"}`,
  );
  log(`(${runs} rounds of floor, shipped and scale in turn; on a shared machine compare the CPU figures)`);
  if (json) process.stdout.write(`${JSON.stringify({ runs, floor, shipped, scale: { ...scale, resources: resourceCount }, shippedRatio, shippedCpuRatio, budget: BUDGET, met: checks })}\n`);
  process.exitCode = Object.values(checks).every(Boolean) ? 0 : 1;
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

/** Resources in every synthesized stack below `outdir`. */
function countResources(outdir) {
  const stacks = path.join(outdir, "stacks");
  return fs.readdirSync(stacks).reduce((total, stack) => {
    const { resource = {} } = JSON.parse(fs.readFileSync(path.join(stacks, stack, "cdk.tf.json"), "utf8"));
    return total + Object.values(resource).reduce((sum, byId) => sum + Object.keys(byId).length, 0);
  }, 0);
}
