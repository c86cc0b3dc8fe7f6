import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";

const root = path.resolve(__dirname, "../..");
/** What a clone holds: the files git tracks (node_modules is linked: it is not part of the commit). */
const PROJECT_FILES = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((file) => file && fs.existsSync(path.join(root, file)));

/** A copy of the project at `dir`, synthesized there with the default output directory; every output file's bytes by relative path. */
async function synthesizeCopyAt(dir: string): Promise<Map<string, Buffer>> {
  fs.mkdirSync(dir, { recursive: true });
  for (const file of PROJECT_FILES) fs.cpSync(path.join(root, file), path.join(dir, file));
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  const env: NodeJS.ProcessEnv = { ...process.env, PLATFORM_ENVIRONMENTS: "" };
  delete env.CDKTF_OUTDIR;
  await promisify(execFile)(process.execPath, ["scripts/app.mjs"], { cwd: dir, env });
  const outdir = path.join(dir, "cdktf.out");
  const files = fs.readdirSync(outdir, { recursive: true, encoding: "utf8" }).filter((file) => fs.statSync(path.join(outdir, file)).isFile());
  return new Map(files.sort().map((file) => [file, fs.readFileSync(path.join(outdir, file))]));
}

describe("reproducible synth", () => {
  // Two cold synths (bundles built from scratch) side by side: seconds on an idle machine, more on a busy one.
  test("the same commit synthesizes byte-identical stacks, assets included, from two different directories", { timeout: 120_000 }, async () => {
    // GIVEN two clones at different places and depths
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "repro-"));
    const [first, second] = [path.join(base, "a"), path.join(base, "somewhere", "much", "deeper", "checkout")];

    // WHEN each synthesizes every environment
    const [one, two] = await Promise.all([synthesizeCopyAt(first), synthesizeCopyAt(second)]);

    // THEN the outputs are the same files with the same bytes, and none mentions where it was made
    expect([...two.keys()]).toEqual([...one.keys()]);
    expect([...one.keys()].filter((file) => file.endsWith("bundle.zip")).length).toBeGreaterThan(0);
    for (const [file, bytes] of one) {
      expect(two.get(file)?.equals(bytes), `${file} differs between the two directories`).toBe(true);
      const text = bytes.toString("latin1");
      expect(text.includes(base) || text.includes(root) || text.includes(os.homedir()), `${file} holds a machine path`).toBe(false);
    }
  });
});
