// `npm run lock:update`: rewrites change-safety/addresses/<environment>.txt from a fresh synth of
// the working tree, one file per shipped environment, and removes the files of environments that
// no longer exist. Run it after an intended address change, then review and commit the diff.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { lockEntries, renderLock } from "./address-lock";
import { synthesizeCheckout } from "./synthesize-checkout";

export const LOCK_DIRECTORY = path.join(__dirname, "addresses");

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(
      "usage: npm run lock:update\n\nSynthesizes every environment of the working tree and rewrites change-safety/addresses/<environment>.txt\n(every Terraform resource address with its construct path). Review and commit the result.\n",
    );
    return 0;
  }
  if (argv.length > 0) {
    process.stderr.write(`lock:update takes no arguments (got ${argv.join(" ")}); see --help\n`);
    return 2;
  }
  const root = path.resolve(__dirname, "..");
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "address-lock-"));
  try {
    process.stderr.write("synthesizing every environment of the working tree...\n");
    const stacks = await synthesizeCheckout(root, outdir);
    fs.mkdirSync(LOCK_DIRECTORY, { recursive: true });
    for (const stale of fs.readdirSync(LOCK_DIRECTORY).filter((file) => file.endsWith(".txt") && !stacks.has(file.slice(0, -4)))) {
      fs.rmSync(path.join(LOCK_DIRECTORY, stale));
      process.stderr.write(`removed ${path.relative(root, path.join(LOCK_DIRECTORY, stale))} (no such environment any more)\n`);
    }
    for (const [environment, stack] of [...stacks].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const file = path.join(LOCK_DIRECTORY, `${environment}.txt`);
      const entries = lockEntries(stack);
      fs.writeFileSync(file, renderLock(environment, entries));
      process.stderr.write(`wrote ${path.relative(root, file)} (${entries.length} addresses)\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`lock:update failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
