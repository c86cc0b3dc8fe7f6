// `npm run synth` (and any `node scripts/cdktf.mjs <command>`): the cdktf CLI without the error lines
// it prints on an offline machine. CHECKPOINT_DISABLE stops its online version check
// (`[ERROR] ... checkpoint-api`); a TF_CLI_CONFIG_FILE that names a missing file makes every
// `terraform` call the CLI makes log an error too, so it is dropped. Everything else passes through.
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
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env });
process.exit(result.status ?? 1);
