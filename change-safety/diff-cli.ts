// `npm run diff -- [--base <git ref>] [environment...] [--json | --markdown]`: what this change does
// to each environment's live infrastructure, offline, before anyone runs `terraform plan`.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ENVIRONMENTS } from "../stacks/environments";
import { failureWords, formatMarkdown, formatText, overallVerdict } from "./diff-report";
import { EXIT_STATUS, HELP, parseOptions, type Options } from "./diff-options";
import { UsageError, exportCommit, resolveBase } from "./git-base";
import { predictPlan } from "./stack-diff";
import type { StackJson } from "./stack-json";
import { synthesizeCheckout } from "./synthesize-checkout";

const ROOT = path.resolve(__dirname, "..");
const CACHED_BASES = 4;

/** Base stacks by commit, kept under .build/: a commit synthesizes the same with the same installed packages. */
async function baseStacks(commit: string, scratch: string): Promise<Map<string, StackJson>> {
  const packages = crypto.createHash("sha256").update(fs.readFileSync(path.join(ROOT, "package-lock.json"))).digest("hex").slice(0, 16);
  const cache = path.join(ROOT, ".build", "diff-base", `${commit}-${packages}.json`);
  if (fs.existsSync(cache)) return new Map(Object.entries(JSON.parse(fs.readFileSync(cache, "utf8")) as Record<string, StackJson>));
  const checkout = path.join(scratch, "base");
  await exportCommit(ROOT, commit, checkout);
  const stacks = await synthesizeCheckout(checkout, path.join(scratch, "base.out"));
  const directory = path.dirname(cache);
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(cache, JSON.stringify(Object.fromEntries(stacks)));
  // Keeps the few bases in use (a branch's merge base, main, a release tag) and drops older ones.
  const cached = fs.readdirSync(directory).filter((file) => file.endsWith(".json")).map((file) => path.join(directory, file));
  const newestFirst = cached.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  for (const stale of newestFirst.slice(CACHED_BASES)) fs.rmSync(stale, { force: true });
  return stacks;
}

/** Awaits one side's synthesis, reporting its time on stderr and naming the side when it fails. */
async function timed<T>(side: string, work: Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await work;
    process.stderr.write(`${side} synthesized in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (error) {
    throw new Error(`${side}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const known = Object.keys(ENVIRONMENTS);
  let options: Options;
  let base: { ref: string; commit: string };
  try {
    const parsed = parseOptions(argv, known);
    if (parsed === "help") {
      process.stdout.write(HELP);
      return 0;
    }
    options = parsed;
    base = resolveBase(ROOT, options.base);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`diff: ${error.message}\n`);
    return 2;
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-diff-"));
  try {
    process.stderr.write(`synthesizing base ${base.commit.slice(0, 12)} (${base.ref}) and the working tree...\n`);
    // Both sides settle before the scratch directory goes, even when one fails early.
    const sides = await Promise.allSettled([
      timed("base", baseStacks(base.commit, scratch)),
      timed("working tree", synthesizeCheckout(ROOT, path.join(scratch, "head.out"), options.environments)),
    ]);
    const [before, after] = sides.map((side) => {
      if (side.status === "rejected") throw side.reason;
      return side.value;
    });
    const names = options.environments.length > 0 ? options.environments : [...new Set([...after.keys(), ...before.keys()])].sort();
    const plans = names.map((name) => predictPlan(name, before.get(name), after.get(name)));
    const verdict = overallVerdict(plans);
    const refusals = plans.reduce((sum, plan) => sum + plan.refusals.length, 0);
    const losses = plans.reduce((sum, plan) => sum + plan.losses.length, 0);
    const applyRisks = plans.reduce((sum, plan) => sum + plan.applyRisks.length, 0);
    if (options.format === "json") process.stdout.write(`${JSON.stringify({ base, verdict, refusals, losses, applyRisks, environments: plans }, null, 2)}\n`);
    else process.stdout.write(options.format === "markdown" ? formatMarkdown(base, plans) : formatText(base, plans));
    if (verdict === "refused") process.stderr.write(`diff: ${failureWords(plans.flatMap((plan) => plan.refusals))}: ${refusals} change(s) refused\n`);
    else if (verdict === "costly") process.stderr.write(`diff: ${losses} stateful or disruptive resource(s) would be destroyed or replaced\n`);
    return EXIT_STATUS[verdict];
  } catch (error) {
    process.stderr.write(`diff failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
