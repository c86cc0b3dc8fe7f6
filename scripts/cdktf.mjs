// `npm run synth` (and any `node scripts/cdktf.mjs <command>`): the cdktf CLI without the error lines
// it prints on an offline machine. CHECKPOINT_DISABLE stops its online version check
// (`[ERROR] ... checkpoint-api`); a TF_CLI_CONFIG_FILE that names a missing file makes every
// `terraform` call the CLI makes log an error too, so it is dropped. Outside a terminal its spinner
// frames are dropped too. Everything else passes through.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

const require = createRequire(import.meta.url);
// The CLI this checkout installs: cdktf's, or CDK Terrain's after `npm run switch-to-cdktn`.
const { devDependencies } = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const name = devDependencies["cdktn-cli"] ? "cdktn" : "cdktf";
const manifest = require.resolve(`${name}-cli/package.json`);
const cli = path.join(path.dirname(manifest), JSON.parse(fs.readFileSync(manifest, "utf8")).bin[name]);
const env = { ...process.env, CHECKPOINT_DISABLE: "1" };
if (env.TF_CLI_CONFIG_FILE && !fs.existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;
const args = [cli, ...process.argv.slice(2)];
if (process.stdout.isTTY) {
  const result = spawnSync(process.execPath, args, { stdio: "inherit", env });
  process.exit(result.status ?? 1);
}
// Not a terminal (CI, a log file): the CLI's spinner redraws itself with cursor moves, which a log
// keeps as one line per frame. Those frames and the escape codes go; every other line passes.
const SPINNER_FRAME = /^\s*[\u2800-\u28ff]\s/;
const CURSOR_CONTROL = /\u001b\[[0-9;]*[AGK]/g;
const result = spawnSync(process.execPath, args, { stdio: ["inherit", "pipe", "pipe"], env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
const logged = (text) =>
  (text ?? "")
    .replace(CURSOR_CONTROL, "")
    .split("\n")
    .filter((line) => !SPINNER_FRAME.test(line))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+/, "");
process.stdout.write(logged(result.stdout));
process.stderr.write(logged(result.stderr));
process.exit(result.status ?? 1);
