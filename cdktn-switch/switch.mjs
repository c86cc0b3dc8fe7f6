#!/usr/bin/env node
// npm run switch-to-cdktn: moves this checkout from cdktf to CDK Terrain (cdktn) in place.
// Everything is computed and checked first; files are written only when all of it is valid.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { VERSIONS, isSwitched, rewriteCommand, rewriteKind, rewritePackageJson, rewriteSource } from "./rewrite.mjs";

const HELP = `Usage: npm run switch-to-cdktn [-- --dry-run] [--json]

Rewrites this checkout to use CDK Terrain (cdktn ${VERSIONS.dependencies.cdktn}, @cdktn/provider-aws ${VERSIONS.dependencies["@cdktn/provider-aws"]}):
package.json dependencies and scripts, the committed cdktn lockfile, and every import, lint rule,
script and test that names the cdktf packages. Running it twice is harmless.

Options:
  --dry-run   list what would change, write nothing
  --json      print the result as one JSON object on stdout
  -h, --help  this text

Exit codes: 0 done (or nothing to do), 1 failed, 2 bad input.`;

/** The committed lockfile of the cdktn variant, in the checkout being switched. */
export const cdktnLockfile = (root) => path.join(root, "cdktn-switch", "package-lock.json");

/** The checkout's files as git sees them (tracked, plus untracked ones not ignored), relative paths. */
export function checkoutFiles(root) {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  return [...new Set(listed.split("\0").filter(Boolean))].filter((file) => fs.existsSync(path.join(root, file)));
}

/**
 * Every write the switch makes, as [relative path, new content]. Throws a message (no write made)
 * when the committed lockfile does not fit the rewritten package.json.
 */
export function planSwitch(root, { checkLock = true } = {}) {
  const writes = [];
  const pkgText = fs.readFileSync(path.join(root, "package.json"), "utf8");
  const pkg = rewritePackageJson(JSON.parse(pkgText));
  const nextPkgText = `${JSON.stringify(pkg, null, 2)}\n`;
  if (nextPkgText !== pkgText) writes.push(["package.json", nextPkgText]);

  if (checkLock) {
    const lockText = fs.readFileSync(cdktnLockfile(root), "utf8");
    const problem = lockMismatch(JSON.parse(lockText), pkg);
    if (problem) throw new Error(`the committed cdktn lockfile (cdktn-switch/package-lock.json) does not fit package.json: ${problem}; run npm run cdktn:update-lock`);
    const current = fs.existsSync(path.join(root, "package-lock.json")) ? fs.readFileSync(path.join(root, "package-lock.json"), "utf8") : "";
    if (current !== lockText) writes.push(["package-lock.json", lockText]);
  }

  for (const file of checkoutFiles(root)) {
    const kind = rewriteKind(file);
    if (!kind) continue;
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const next = kind === "command" ? rewriteCommand(text) : rewriteSource(text);
    if (next !== text) writes.push([file, next]);
  }
  return writes;
}

/** Why a lockfile cannot be installed with `npm ci` for this package.json, or undefined when it can. */
export function lockMismatch(lock, pkg) {
  const root = lock.packages?.[""] ?? {};
  for (const section of ["dependencies", "devDependencies"]) {
    const want = pkg[section] ?? {};
    const have = root[section] ?? {};
    for (const name of new Set([...Object.keys(want), ...Object.keys(have)])) {
      if (want[name] !== have[name]) return `${section}.${name} is ${want[name] ?? "absent"} in package.json, ${have[name] ?? "absent"} in the lockfile`;
    }
  }
  return undefined;
}

function main() {
  let args;
  try {
    args = parseArgs({ options: { "dry-run": { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true }).values;
  } catch (error) {
    process.stderr.write(`switch-to-cdktn: ${error.message}\n${HELP}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const root = process.cwd();
  if (!fs.existsSync(path.join(root, "cdktf.json")) || !fs.existsSync(path.join(root, "package.json"))) {
    process.stderr.write("switch-to-cdktn: run it from the project root (where cdktf.json and package.json are)\n");
    return 2;
  }
  const wasSwitched = isSwitched(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")));
  let writes;
  try {
    writes = planSwitch(root);
  } catch (error) {
    process.stderr.write(`switch-to-cdktn: ${error.message}\n`);
    return 1;
  }
  if (!args["dry-run"]) for (const [file, text] of writes) fs.writeFileSync(path.join(root, file), text);

  const changed = writes.map(([file]) => file);
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ switched: true, alreadySwitched: wasSwitched && changed.length === 0, dryRun: Boolean(args["dry-run"]), changed, versions: { ...VERSIONS.dependencies, ...VERSIONS.devDependencies } })}\n`);
  }
  const verb = args["dry-run"] ? "would change" : "changed";
  if (changed.length === 0) process.stderr.write("switch-to-cdktn: already on CDK Terrain; nothing to change\n");
  else process.stderr.write(`switch-to-cdktn: ${verb} ${changed.length} files:\n${changed.map((file) => `  ${file}`).join("\n")}\n`);
  if (!args["dry-run"]) {
    process.stderr.write(
      [
        "Next (CDK Terrain needs Node.js >= 22.19):",
        "  node --version",
        "  rm -rf node_modules .build && npm ci",
        "  npm test && npm run lint && npm run synth",
        "To go back: git checkout -- . (before committing), or revert the commit that recorded the switch.",
        "",
      ].join("\n"),
    );
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) process.exitCode = main();
