import * as path from "node:path";
import { ENVIRONMENTS } from "./stacks/environments";
import { ENVIRONMENTS_VARIABLE, selectEnvironments } from "./stacks/selection";
import { synthesizeEnvironments } from "./stacks/synthesize";

// cdktf captures a creation stack trace for every token it makes (every attribute reference), with
// Error.stackTraceLimit raised to unlimited each time: about a fifth of a synth at scale. They are
// only read when a token fails to resolve, so outside PLATFORM_DEBUG none are captured: V8 captures
// a trace only while stackTraceLimit is a plain number, and this accessor ignores cdktf's writes.
// cdktf treats the missing trace as "no trace"; errors keep their messages, which is what main prints.
if (!process.env.PLATFORM_DEBUG) Object.defineProperty(Error, "stackTraceLimit", { configurable: true, get: () => 0, set: () => {} });

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
