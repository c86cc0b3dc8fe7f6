#!/usr/bin/env node
// Compares two cdktf output directories, cdktf's and cdktn's, and fails on any difference other
// than the ones a tool-chain rename is expected to make: the provider's source and version and
// the tool's version stamps. Usage: node cdktn-switch/compare-synth.mjs <cdktf.out> <cdktn.out> [--json]
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** JSON paths (dot-joined, `*` for one key) whose values may differ between the two tool chains. */
export const ALLOWED = [
  "manifest.json:version",
  "stacks/*/cdk.tf.json://.metadata.version",
  "stacks/*/cdk.tf.json:terraform.required_providers.*.source",
  "stacks/*/cdk.tf.json:terraform.required_providers.*.version",
];

const matches = (pattern, candidate) => {
  const [patternFile, patternPath] = pattern.split(":");
  const [file, jsonPath] = candidate.split(":");
  const same = (p, c, sep) => {
    const ps = p.split(sep);
    const cs = c.split(sep);
    return ps.length === cs.length && ps.every((part, i) => part === "*" || part === cs[i]);
  };
  return same(patternFile, file, "/") && same(patternPath, jsonPath, ".");
};

/** Files below dir, relative, with forward slashes. */
function files(dir, prefix = "") {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? files(dir, rel) : [rel];
  });
}

function jsonDifferences(a, b, at, out) {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    out.push(at);
  } else if (Array.isArray(a)) {
    if (a.length !== b.length) out.push(`${at}[length ${a.length} vs ${b.length}]`);
    else a.forEach((item, i) => jsonDifferences(item, b[i], `${at}[${i}]`, out));
  } else if (a !== null && typeof a === "object") {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const child = at ? `${at}.${key}` : key;
      if (!(key in a) || !(key in b)) out.push(child);
      else jsonDifferences(a[key], b[key], child, out);
    }
  } else if (a !== b) {
    out.push(at);
  }
  return out;
}

/** Every difference between the two output directories that a rename must not cause, as `file:path`. */
export function compareOutputs(cdktfDir, cdktnDir) {
  const left = new Set(files(cdktfDir));
  const right = new Set(files(cdktnDir));
  const differences = [];
  for (const file of [...new Set([...left, ...right])].sort()) {
    if (!left.has(file) || !right.has(file)) {
      differences.push(`${file}: only in ${left.has(file) ? "cdktf" : "cdktn"} output`);
      continue;
    }
    const a = fs.readFileSync(path.join(cdktfDir, file));
    const b = fs.readFileSync(path.join(cdktnDir, file));
    if (!file.endsWith(".json")) {
      if (!a.equals(b)) differences.push(`${file}: content differs`);
      continue;
    }
    for (const at of jsonDifferences(JSON.parse(a.toString("utf8")), JSON.parse(b.toString("utf8")), "", [])) {
      const candidate = `${file}:${at}`;
      if (!ALLOWED.some((pattern) => matches(pattern, candidate))) differences.push(candidate);
    }
  }
  return differences;
}

function main(argv) {
  const json = argv.includes("--json");
  const dirs = argv.filter((arg) => arg !== "--json");
  if (dirs.length !== 2 || dirs.some((dir) => !fs.existsSync(path.join(dir, "manifest.json")))) {
    process.stderr.write("usage: compare-synth.mjs <cdktf.out> <cdktn.out> [--json] (both synthesized output directories)\n");
    return 2;
  }
  const differences = compareOutputs(dirs[0], dirs[1]);
  if (json) process.stdout.write(`${JSON.stringify({ same: differences.length === 0, differences })}\n`);
  if (differences.length === 0) {
    process.stderr.write(`compare-synth: same stacks apart from ${ALLOWED.length} allowed stamps (provider source/version, tool versions)\n`);
    return 0;
  }
  process.stderr.write(`compare-synth: ${differences.length} differences besides the allowed ones:\n${differences.map((d) => `  ${d}`).join("\n")}\n`);
  return 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) process.exitCode = main(process.argv.slice(2));
