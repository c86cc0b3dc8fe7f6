// `npm run test:own-environments`: the suite as a team runs it once its own environment replaces the examples.
// In a clean clone of HEAD (commit first: the working tree's changes are not in it; node_modules linked): `new-env qa --from <the first registered environment>`, its
// placeholders filled as a user would (__tests__/support/new-environments.ts), the registry reduced to qa alone,
// `lock:update`, a commit (the diff test compares against HEAD), then the whole suite. Not in CI: it runs the suite a
// second time (30-60 s); run it after changing tests that use environments (docs/testing.md). A failed run keeps
// its clone to look into and names it.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
if (process.argv.includes("--help")) {
  process.stdout.write("Usage: npm run test:own-environments\nRuns the suite in a clean clone whose registry holds only a new-env copy (the examples taken out).\n");
  process.exit(0);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "own-environments-"));
const step = (what, command, args, cwd = dir) => {
  process.stderr.write(`-- ${what}\n`);
  const run = spawnSync(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
  if (run.status !== 0) {
    process.stderr.write(`test:own-environments: ${what} failed (exit ${run.status}); the clone is ${dir}\n`);
    process.exit(1);
  }
};
step("clone HEAD", "git", ["clone", "-q", root, dir], root);
fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
const registry = path.join(dir, "stacks", "environments", "index.ts");
const from = /export const ENVIRONMENTS[^=]*= \{\s*["']?([a-z0-9-]+)/.exec(fs.readFileSync(registry, "utf8"))?.[1];
if (from === undefined) {
  process.stderr.write(`test:own-environments: stacks/environments/index.ts lists no environment to copy; the clone is ${dir}\n`);
  process.exit(1);
}
step(`new-env qa --from ${from}`, "npm", ["run", "-s", "new-env", "--", "qa", "--from", from]);
const fill = path.join(dir, "fill-placeholders.ts");
fs.writeFileSync(
  fill,
  `import * as fs from "node:fs";\nimport { fillPlaceholders } from "./__tests__/support/new-environments";\nconst file = "stacks/environments/qa.ts";\nfs.writeFileSync(file, fillPlaceholders(fs.readFileSync(file, "utf8"), "qa"));\n`,
);
step("fill its placeholders", path.join(root, "node_modules", ".bin", "tsx"), [fill]);
fs.rmSync(fill);
fs.writeFileSync(registry, 'import type { EnvironmentInput } from "../config";\nimport { qa } from "./qa";\n\nexport const ENVIRONMENTS: Readonly<Record<string, EnvironmentInput>> = { qa };\n');
step("lock:update", "npm", ["run", "-s", "lock:update"]);
step("stage", "git", ["add", "-A"]);
step("commit", "git", ["-c", "user.name=own-environments", "-c", "user.email=own-environments@localhost", "commit", "-qm", "qa alone"]);
step("the suite", "npm", ["test"]);
fs.rmSync(dir, { recursive: true, force: true });
process.stderr.write("test:own-environments: the suite passes with only a new-env copy registered\n");
