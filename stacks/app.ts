import * as path from "node:path";
import type { EnvironmentInput } from "./config";
import { ENVIRONMENTS_VARIABLE, selectEnvironments } from "./selection";
import { synthesizeEnvironments } from "./synthesize";

/**
 * The cdktf app (main.ts) on `environments`, reading its settings from `env` (CDKTF_OUTDIR, PLATFORM_ENVIRONMENTS,
 * CDKTF_CONTEXT_JSON, PLATFORM_DEBUG): synthesizes, says the warnings on `stderr` and returns the exit code.
 */
export function runApp(environments: Readonly<Record<string, EnvironmentInput>>, env: NodeJS.ProcessEnv, stderr: (text: string) => void): number {
  try {
    const { warnings } = synthesizeEnvironments({
      environments,
      selected: selectEnvironments(Object.keys(environments), env[ENVIRONMENTS_VARIABLE]),
      outdir: path.resolve(env.CDKTF_OUTDIR ?? "cdktf.out"),
    });
    // The cdktf CLI (which passes its context in CDKTF_CONTEXT_JSON) prints the manifest's warning
    // annotations itself, and would print this stderr again as [ERROR] lines; run directly
    // (node scripts/app.mjs), the app says them here.
    if (env.CDKTF_CONTEXT_JSON === undefined) for (const warning of warnings) stderr(`WARN ${warning}\n`);
    return 0;
  } catch (error) {
    // Bad input is reported as a message, not a stack trace; PLATFORM_DEBUG=1 shows the trace.
    const message = error instanceof Error ? error.message : String(error);
    stderr(`synthesis failed: ${message}\n`);
    if (env.PLATFORM_DEBUG && error instanceof Error) stderr(`${error.stack}\n`);
    return 1;
  }
}
