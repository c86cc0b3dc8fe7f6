import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "vitest";

const root = path.resolve(__dirname, "..");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (["node_modules", "cdktf.out", ".build", ".git"].includes(entry.name)) return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : /\.(ts|mts|cts|mjs|js)$/.test(entry.name) ? [full] : [];
  });
}

// Loading the provider's barrel costs ~10 s and ~700 MB per synth; deep paths cost a fraction.
test("no file imports the @cdktf/provider-aws barrel", () => {
  const offenders = sourceFiles(root).filter((file) => /from\s+["']@cdktf\/provider-aws["']|require\(\s*["']@cdktf\/provider-aws["']\s*\)/.test(fs.readFileSync(file, "utf8")));
  expect(offenders.map((file) => path.relative(root, file))).toEqual([]);
});

// Constructs get props, never environment config or build tooling: modules/ sits below stacks/ and scripts/.
test("no file under modules/ imports from stacks/ or scripts/", () => {
  const upward = sourceFiles(path.join(root, "modules")).flatMap((file) =>
    [...fs.readFileSync(file, "utf8").matchAll(/(?:from|import|require)\s*\(?\s*["'](\.{1,2}\/[^"']*)["']/g)]
      .map((match) => path.relative(root, path.resolve(path.dirname(file), match[1])))
      .filter((target) => /^(stacks|scripts)([/\\]|$)/.test(target))
      .map((target) => `${path.relative(root, file)} -> ${target}`),
  );
  expect(upward).toEqual([]);
});
