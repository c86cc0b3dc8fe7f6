import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { filesBelow } from "../support/files";

const root = path.resolve(__dirname, "../..");
/** What a clone holds: the files git tracks (node_modules is linked: it is not part of the commit). */
const PROJECT_FILES = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((file) => file && fs.existsSync(path.join(root, file)));

/** Synthesizes every environment of the project at `project` into `outdir` (the default, cdktf.out, when undefined). */
async function synthesize(project: string, outdir: string | undefined): Promise<Map<string, Buffer>> {
  const env: NodeJS.ProcessEnv = { ...process.env, PLATFORM_ENVIRONMENTS: "" };
  delete env.CDKTF_OUTDIR;
  if (outdir !== undefined) env.CDKTF_OUTDIR = outdir;
  await promisify(execFile)(process.execPath, ["scripts/app.mjs"], { cwd: project, env });
  return filesBelow(outdir ?? path.join(project, "cdktf.out"));
}

describe("reproducible synth", () => {
  // A cold synth (bundles built from scratch) beside one in this checkout: seconds on an idle machine, more on a busy one.
  test("the same commit synthesizes byte-identical stacks, assets included, in another directory from a clean clone", { timeout: 120_000 }, async () => {
    // GIVEN a copy of the project at another place and depth, with no build cache (.build is not part of a commit)
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "repro-"));
    const clone = path.join(base, "somewhere", "much", "deeper", "checkout");
    fs.mkdirSync(clone, { recursive: true });
    for (const file of PROJECT_FILES) fs.cpSync(path.join(root, file), path.join(clone, file));
    fs.symlinkSync(path.join(root, "node_modules"), path.join(clone, "node_modules"));
    expect(fs.existsSync(path.join(clone, ".build"))).toBe(false);

    // WHEN each synthesizes every environment, the clone into its default output directory
    const [here, there] = await Promise.all([synthesize(root, path.join(base, "here")), synthesize(clone, undefined)]);

    // THEN the outputs are the same files with the same bytes, and none mentions where it was made
    expect([...there.keys()]).toEqual([...here.keys()]);
    expect([...here.keys()].filter((file) => file.endsWith("bundle.zip")).length).toBeGreaterThan(0);
    for (const [file, bytes] of here) {
      expect(there.get(file)?.equals(bytes), `${file} differs between the two directories`).toBe(true);
      const text = bytes.toString("latin1");
      expect(text.includes(base) || text.includes(root) || text.includes(os.homedir()), `${file} holds a machine path`).toBe(false);
    }
  });
});
