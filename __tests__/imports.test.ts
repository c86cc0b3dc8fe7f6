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

/** The project-relative targets of a file's relative imports and requires. */
function relativeImports(file: string): string[] {
  return [...fs.readFileSync(file, "utf8").matchAll(/(?:from|import|require)\s*\(?\s*["'](\.{1,2}\/[^"']*)["']/g)].map((match) =>
    path.relative(root, path.resolve(path.dirname(file), match[1])),
  );
}

/** Files of `part` (a folder or a file) as "file -> target" for each import into a folder matching `targets`. */
function importsInto(part: string, targets: RegExp): string[] {
  const full = path.join(root, part);
  const files = fs.statSync(full).isDirectory() ? sourceFiles(full) : [full];
  return files.flatMap((file) => relativeImports(file).filter((target) => targets.test(target)).map((target) => `${path.relative(root, file)} -> ${target}`));
}

// Constructs get props, never environment config or build tooling: modules/ sits below stacks/ and scripts/.
test("no file under modules/ imports from stacks/ or scripts/", () => {
  expect(importsInto("modules", /^(stacks|scripts)([/\\]|$)/)).toEqual([]);
});

// Tools lean on the stack, never the reverse: what synthesis runs lives on the synth side.
const TOOL_FOLDERS = ["change-safety", "spot-advisor", "release", "environment-scaffold", "config-reference", "cdktn-switch"];

test.each(["stacks", "modules", "main.ts"])("GIVEN the synth side's %s WHEN its imports are listed THEN none is from a tool folder", (part) => {
  expect(importsInto(part, new RegExp(`^(${TOOL_FOLDERS.join("|")})([/\\\\]|$)`))).toEqual([]);
});

test.each(TOOL_FOLDERS)("GIVEN the tool folder %s THEN it exists (the synth-side check names real folders)", (folder) => {
  expect(fs.statSync(path.join(root, folder)).isDirectory()).toBe(true);
});
