// Entry of `npm run release` (bundled by scripts/release.mjs): wires the CLI to the process.
import { ENVIRONMENTS } from "../stacks/environments";
import { defaultEcsClient, main } from "./cli";
import { systemClock } from "./retry";

// A cancelled CI job sends SIGTERM (Ctrl-C: SIGINT): the command stops waiting, stops a task it started and prints
// its result. A second signal ends the process at once.
const cancel = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (cancel.signal.aborted) process.exit(1);
    process.stderr.write(`${signal}: stopping, printing the result (again to quit at once)\n`);
    cancel.abort(signal);
  });
}

main(process.argv.slice(2), {
  environments: ENVIRONMENTS,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  clock: systemClock,
  ecsClient: defaultEcsClient,
  signal: cancel.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
