import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ENVIRONMENTS_VARIABLE } from "../stacks/selection";
import type { StackJson } from "./stack-json";

/**
 * Synthesizes every environment of the checkout in `directory` through its own fast synth entry
 * (`node scripts/app.mjs`, the esbuild bundle) into `outdir`, and returns each stack's JSON by
 * environment name (`only` limits it to some). Runs as a child process, so the caller never loads cdktf and two checkouts can
 * synthesize at the same time. Rejects with the synth's own message when it fails.
 */
export async function synthesizeCheckout(directory: string, outdir: string, only: readonly string[] = []): Promise<Map<string, StackJson>> {
  const entry = path.join(directory, "scripts", "app.mjs");
  if (!fs.existsSync(entry)) throw new Error(`${directory} has no scripts/app.mjs to synthesize with`);
  const environment: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir };
  if (only.length > 0) environment[ENVIRONMENTS_VARIABLE] = only.join(",");
  else delete environment[ENVIRONMENTS_VARIABLE];
  const { code, stderr } = await run(process.execPath, [entry], directory, environment);
  if (code !== 0) throw new Error(stderr.trim() || `node scripts/app.mjs exited with ${code}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  return new Map(
    Object.entries(manifest.stacks).map(([name, stack]) => [name, JSON.parse(fs.readFileSync(path.join(outdir, stack.synthesizedStackPath), "utf8")) as StackJson]),
  );
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
  });
}
