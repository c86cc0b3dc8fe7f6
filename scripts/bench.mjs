// Synthesizes every environment several times through the cdktf app entry and prints the median
// wall time and peak memory, next to the floor: a bare `require("cdktf")` measured the same way.
// Targets: under 2.5 s, and under 3x the floor. Usage: npm run bench [-- --runs 9]
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureAppBundle } from "./app-bundle.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runsFlag = process.argv.indexOf("--runs");
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 7;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
const probe = path.join(root, "scripts", "bench-probe.cjs");

function measure(args, env = {}) {
  const rssFile = path.join(scratch, "rss");
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ["--require", probe, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${args.join(" ")} failed:\n${run.stderr}`);
  return { seconds, rssMiB: Number(fs.readFileSync(rssFile, "utf8")) / 1024 };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function series(label, args, env) {
  const samples = Array.from({ length: runs }, () => measure(args, env));
  const result = { label, seconds: median(samples.map((s) => s.seconds)), rssMiB: Math.max(...samples.map((s) => s.rssMiB)) };
  console.log(`${label.padEnd(34)} median ${result.seconds.toFixed(3)} s   peak RSS ${result.rssMiB.toFixed(0)} MiB   (${runs} runs)`);
  return result;
}

try {
  // Warm the bundle caches first: the benchmark measures a synth, not a first-time build.
  await ensureAppBundle();
  measure(["scripts/app.mjs"], { CDKTF_OUTDIR: path.join(scratch, "warm") });

  const floor = series("floor: node -e require('cdktf')", ["-e", "require('cdktf')"]);
  const synth = series("synth all environments", ["scripts/app.mjs"], { CDKTF_OUTDIR: path.join(scratch, "out"), PLATFORM_ENVIRONMENTS: "" });
  const ratio = synth.seconds / floor.seconds;
  const ok = synth.seconds < 2.5 && ratio < 3;
  console.log(`ratio to floor ${ratio.toFixed(2)}x; targets < 2.5 s and < 3x: ${ok ? "met" : "NOT met"}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
