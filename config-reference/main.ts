/**
 * `npm run docs`: regenerates docs/configuration.md and docs/environment.schema.json from the config
 * schema. `--check` writes nothing and exits 1 when either file is stale (what CI and the tests ask).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderReference } from "./render";

const USAGE = `usage: npm run docs [-- --check]

Regenerates the configuration reference from the schema in stacks/config/:
  docs/configuration.md        every field: type, default, allowed values, meaning
  docs/environment.schema.json the same as JSON Schema, for editors

  --check   write nothing; exit 1 when a file is stale
  --help    this text
`;

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const unknown = args.filter((arg) => arg !== "--check");
if (unknown.length > 0) {
  process.stderr.write(`docs: unknown argument(s) ${unknown.join(" ")}\n\n${USAGE}`);
  process.exit(2);
}

const root = path.resolve(__dirname, "..");
const stale: string[] = [];
for (const [file, content] of Object.entries(renderReference())) {
  const target = path.join(root, file);
  const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
  if (current === content) continue;
  stale.push(file);
  if (!args.includes("--check")) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
    process.stderr.write(`docs: wrote ${file}\n`);
  }
}
if (args.includes("--check") && stale.length > 0) {
  process.stderr.write(`docs: stale: ${stale.join(", ")}; run \`npm run docs\` and commit the result\n`);
  process.exit(1);
}
if (stale.length === 0) process.stderr.write("docs: up to date\n");
