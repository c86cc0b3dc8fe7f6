#!/usr/bin/env node
// npm run cdktn:update-lock: regenerates cdktn-switch/package-lock.json, the lockfile the switch
// installs, from this checkout's package.json and lockfile. Run it after changing dependencies;
// npm resolves only what the switch changes, so every other package keeps its locked version.
// Needs the npm registry, not Node 22 (--package-lock-only installs nothing).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cdktnLockfile, lockMismatch } from "./switch.mjs";
import { rewritePackageJson } from "./rewrite.mjs";

const root = process.cwd();
if (!fs.existsSync(path.join(root, "cdktf.json"))) {
  process.stderr.write("cdktn:update-lock: run it from the project root (where cdktf.json is)\n");
  process.exit(2);
}
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
if (pkg.dependencies?.cdktn) {
  process.stderr.write("cdktn:update-lock: this checkout is already switched; run it on the cdktf checkout\n");
  process.exit(2);
}
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "cdktn-lock-"));
try {
  const switched = rewritePackageJson(pkg);
  fs.writeFileSync(path.join(scratch, "package.json"), `${JSON.stringify(switched, null, 2)}\n`);
  fs.copyFileSync(path.join(root, "package-lock.json"), path.join(scratch, "package-lock.json"));
  process.stderr.write("cdktn:update-lock: resolving the cdktn dependencies (npm install --package-lock-only)\n");
  execFileSync("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: scratch, stdio: ["ignore", "inherit", "inherit"] });
  const lock = JSON.parse(fs.readFileSync(path.join(scratch, "package-lock.json"), "utf8"));
  const problem = lockMismatch(lock, switched);
  if (problem) throw new Error(`npm wrote a lockfile that does not fit: ${problem}`);
  fs.copyFileSync(path.join(scratch, "package-lock.json"), cdktnLockfile(root));
  process.stderr.write(`cdktn:update-lock: wrote ${path.relative(root, cdktnLockfile(root))}\n`);
} catch (error) {
  process.stderr.write(`cdktn:update-lock: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
