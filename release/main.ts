// Entry of `npm run release` (bundled by scripts/release.mjs): wires the CLI to the process.
import { ENVIRONMENTS } from "../stacks/environments";
import { cancelOnSignals, defaultEcsClient, main } from "./cli";
import { systemClock } from "./retry";

main(process.argv.slice(2), {
  environments: ENVIRONMENTS,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  clock: systemClock,
  ecsClient: defaultEcsClient,
  signal: cancelOnSignals(process),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
