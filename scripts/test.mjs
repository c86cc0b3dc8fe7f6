// `npm test`: the type check (scripts/typecheck.mjs, TypeScript's native compiler) and the test suite run at
// once, and both must pass. Arguments go to vitest, e.g.
// `npm test -- --reporter=json --outputFile=...` (.ci/run). The type check's output follows the suite's.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { nativeTsc } from "./typecheck.mjs";

const require = createRequire(import.meta.url);

function run(script, args, stdio) {
  const child = spawn(process.execPath, [script, ...args], { stdio });
  const output = [];
  child.stdout?.on("data", (chunk) => output.push(chunk));
  child.stderr?.on("data", (chunk) => output.push(chunk));
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: Buffer.concat(output) })));
}

const typecheck = run(nativeTsc, ["--noEmit"], ["ignore", "pipe", "pipe"]);
const tests = run(require.resolve("vitest/vitest.mjs"), ["run", ...process.argv.slice(2)], "inherit");
const [types, suite] = await Promise.all([typecheck, tests]);
process.stdout.write(types.output);
process.stdout.write(types.code === 0 ? "type check (TypeScript 7, tsc --noEmit): no errors\n" : "type check (TypeScript 7, tsc --noEmit): FAILED, see above\n");
process.exitCode = types.code !== 0 || suite.code !== 0 ? 1 : 0;
