import * as path from "node:path";
import { skipCreationTraces } from "./stacks/creation-traces";
import { ENVIRONMENTS } from "./stacks/environments";
import { ENVIRONMENTS_VARIABLE, selectEnvironments } from "./stacks/selection";
import { synthesizeEnvironments } from "./stacks/synthesize";

// Creation traces are only read when a token fails to resolve: PLATFORM_DEBUG keeps them.
if (!process.env.PLATFORM_DEBUG) skipCreationTraces();

try {
  const { warnings } = synthesizeEnvironments({
    environments: ENVIRONMENTS,
    selected: selectEnvironments(Object.keys(ENVIRONMENTS), process.env[ENVIRONMENTS_VARIABLE]),
    outdir: path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out"),
  });
  // The cdktf CLI (which passes its context in CDKTF_CONTEXT_JSON) prints the manifest's warning
  // annotations itself, and would print this stderr again as [ERROR] lines; run directly
  // (node scripts/app.mjs), the app says them here.
  if (process.env.CDKTF_CONTEXT_JSON === undefined) for (const warning of warnings) process.stderr.write(`WARN ${warning}\n`);
} catch (error) {
  // Bad input is reported as a message, not a stack trace; PLATFORM_DEBUG=1 shows the trace.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`synthesis failed: ${message}\n`);
  if (process.env.PLATFORM_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
