/** `npm run new-env -- <name> --from <existing>`: see scaffold.ts. Exit 0 done, 1 failed, 2 bad input. */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ENVIRONMENTS } from "../stacks/environments";
import { ScaffoldError, scaffoldEnvironment } from "./scaffold";

const USAGE = `usage: npm run new-env -- <name> --from <existing> [--json]

Creates stacks/environments/<name>.ts as a copy of <existing>, registers it in
stacks/environments/index.ts, and replaces every value that must differ between environments
(hosts, e-mails, CIDRs, account ids, domain, network ids, secrets, CI subjects, state
workspace/key) with a "FILL-ME: ..." placeholder. Validation (npx cdktf synth, npm test) refuses
the environment until each placeholder is filled, naming the field and what to fill in. Then
\`npm run lock:update\` writes its address lock (change-safety/addresses/<name>.txt); the steps
are printed at the end.
Copying a spot-fleet environment prints a recommendation to use capacity providers instead
(Spot Fleet is a legacy API).

  <name>           lowercase letters, digits, single hyphens; at most 12 characters; it must
                   give an identifier no other environment exports (qa-1 and qa1 both give qa1)
  --from <env>     the environment to copy (${Object.keys(ENVIRONMENTS).join(", ")})
  --json           print the result as JSON on stdout
  --help           this text

Exit codes: 0 created, 1 failed (nothing written), 2 bad input (nothing written).
`;

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({ options: { from: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } }, allowPositionals: true });
  } catch (error) {
    process.stderr.write(`new-env: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || values.from === undefined) {
    process.stderr.write(`new-env: give one environment name and --from <existing>\n\n${USAGE}`);
    return 2;
  }
  try {
    const result = scaffoldEnvironment({ root: path.resolve(__dirname, ".."), name: positionals[0], from: values.from, environments: ENVIRONMENTS });
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(
      `new-env: wrote ${result.file} and registered it in ${result.index}\n` +
        `new-env: ${result.placeholders.length} placeholder(s) to fill:\n${result.placeholders.map((entry) => `  - ${entry.path}: ${entry.fill}`).join("\n")}\n` +
        result.advice.map((entry) => `new-env: recommended: ${entry.path}: ${entry.advice}\n`).join("") +
        `new-env: next:\n${result.next.map((step, index) => `  ${index + 1}. ${step}`).join("\n")}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ScaffoldError) {
      process.stderr.write(`new-env: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

process.exitCode = main();
