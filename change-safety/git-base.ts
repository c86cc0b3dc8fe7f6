import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Bad input from the user (an unknown ref, no main branch): exit 2, not a failure. */
export class UsageError extends Error {}

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * The commit to compare against: `ref` when given, else the merge base of HEAD with the main branch
 * (`main`, else `origin/main`), like a pull request's diff.
 */
export function resolveBase(root: string, ref: string | undefined): { ref: string; commit: string } {
  if (ref !== undefined) {
    const commit = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    if (commit === undefined) throw new UsageError(`--base: ${JSON.stringify(ref)} is not a commit, branch or tag in this repository`);
    return { ref, commit };
  }
  for (const main of ["main", "origin/main"]) {
    if (git(root, ["rev-parse", "--verify", "--quiet", `${main}^{commit}`]) === undefined) continue;
    const commit = git(root, ["merge-base", "HEAD", main]);
    if (commit !== undefined) return { ref: `merge base with ${main}`, commit };
  }
  throw new UsageError("no main branch to take the merge base with: pass --base <git ref>");
}

/**
 * Writes the tree of `commit` into `directory` (git archive: no worktree bookkeeping in the
 * repository) and links the working tree's node_modules into it, so the base synthesizes with the
 * installed packages and its own code.
 */
export async function exportCommit(root: string, commit: string, directory: string): Promise<void> {
  fs.mkdirSync(directory, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const archive = spawn("git", ["archive", "--format=tar", commit], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    const extract = spawn("tar", ["-x", "-C", directory], { stdio: ["pipe", "ignore", "pipe"] });
    archive.stdout.pipe(extract.stdin);
    let errors = "";
    archive.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    extract.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    archive.on("error", reject);
    extract.on("error", reject);
    extract.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`git archive ${commit} | tar failed: ${errors.trim()}`))));
  });
  fs.symlinkSync(path.join(root, "node_modules"), path.join(directory, "node_modules"), "dir");
  // The working tree's synth and Lambda bundles, timestamps kept: each is reused when the files it
  // was built from are the same in the base (their caches compare content), rebuilt otherwise.
  const build = path.join(root, ".build");
  if (fs.existsSync(build)) {
    fs.cpSync(build, path.join(directory, ".build"), {
      recursive: true,
      preserveTimestamps: true,
      filter: (source) => !/[\\/](diff-base|[^\\/]*\.tsbuildinfo)$/.test(source),
    });
  }
}
