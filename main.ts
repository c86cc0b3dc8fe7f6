import * as path from "node:path";
import { ENVIRONMENTS } from "./stacks/environments";
import { ENVIRONMENTS_VARIABLE, selectEnvironments } from "./stacks/selection";
import { synthesizeEnvironments } from "./stacks/synthesize";

try {
  synthesizeEnvironments({
    environments: ENVIRONMENTS,
    selected: selectEnvironments(Object.keys(ENVIRONMENTS), process.env[ENVIRONMENTS_VARIABLE]),
    outdir: path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out"),
  });
} catch (error) {
  // Bad input is reported as a message, not a stack trace; PLATFORM_DEBUG=1 shows the trace.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`synthesis failed: ${message}\n`);
  if (process.env.PLATFORM_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
