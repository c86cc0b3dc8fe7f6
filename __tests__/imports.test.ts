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
