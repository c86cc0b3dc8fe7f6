// The switch's rewrites as pure functions, so that tests can prove them on strings and the CLI only
// does file I/O. Only package identifiers change: resource names, tags ("managed-by": "cdktf"),
// the output directory (cdktf.out) and cdktf.json stay, because CDK Terrain reads the same ones and
// anything else would change what is synthesized.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const SWITCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const VERSIONS = JSON.parse(fs.readFileSync(path.join(SWITCH_DIR, "versions.json"), "utf8"));

const SOURCE_REWRITES = [
  // Module specifiers: import ... from "cdktf", require("cdktf/lib/x"), import("cdktf"), vi.mock("cdktf").
  [/((?:\bfrom|\brequire\(|\bimport\(|\bmock\()\s*)(["'])cdktf(\/[^"']*)?\2/g, "$1$2cdktn$3$2"],
  // The provider package wherever it is named: imports, lint rules, messages, escaped in regular expressions.
  [/@cdktf(\\?\/)provider-aws/g, "@cdktn$1provider-aws"],
  // The CLI run through npx, wherever it is.
  [/\b(npx\s+(?:--no-install\s+)?)cdktf(\s+(?:synth|deploy|destroy|diff|get|list|output|watch)\b)/g, "$1cdktn$2"],
];

// In shell commands (npm scripts, CI) the CLI also runs bare; in sources the same words are prose or
// user-facing messages, which stay as they are (a changed Lambda message would change its bundle).
const COMMAND_REWRITES = [[/(^|[\s;&|(])cdktf(\s+(?:synth|deploy|destroy|diff|get|list|output|watch)\b)/g, "$1cdktn$2"]];

/** Rewrites one source or config file's text; returns it unchanged when nothing names the old packages. */
export function rewriteSource(text) {
  return SOURCE_REWRITES.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), text);
}

const sorted = (record) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Rewrites a shell script or npm script: the sources' rules plus the bare `cdktf <command>`. */
export function rewriteCommand(text) {
  return COMMAND_REWRITES.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), rewriteSource(text));
}

/** The package.json of the cdktn variant: old packages out, the pinned cdktn set in, scripts rewritten. */
export function rewritePackageJson(pkg) {
  const next = structuredClone(pkg);
  for (const section of ["dependencies", "devDependencies"]) {
    const deps = { ...(next[section] ?? {}) };
    for (const name of VERSIONS.replaces) delete deps[name];
    Object.assign(deps, VERSIONS[section]);
    next[section] = sorted(deps);
  }
  next.engines = { ...(next.engines ?? {}), ...VERSIONS.engines };
  next.scripts = Object.fromEntries(Object.entries(next.scripts ?? {}).map(([name, command]) => [name, rewriteCommand(command)]));
  return next;
}

/** True when package.json already depends on CDK Terrain. */
export const isSwitched = (pkg) => Boolean(pkg.dependencies?.cdktn);

/**
 * How a checkout file is rewritten: "source" (code and configs), "command" (shell scripts), or
 * undefined (docs, lockfiles, package.json which is rewritten as data, and the switch itself with
 * its tests, whose old package names are data).
 */
export function rewriteKind(file) {
  if (/^(cdktn-switch|__tests__\/cdktn-switch|node_modules)\//.test(file)) return undefined;
  if (file === "package.json" || file.endsWith("package-lock.json")) return undefined;
  if (file === ".ci/run" || file.endsWith(".sh")) return "command";
  return /\.(ts|mts|cts|js|mjs|cjs|json)$/.test(file) ? "source" : undefined;
}
