// `npm run typecheck`: the type check with TypeScript 7, the native compiler, installed as
// `typescript-native` (`typescript` stays 5.9: typescript-eslint needs its JS API, which 7 does not have).
// On this tsconfig it reports what 5.9 reports (docs/testing.md) in about a quarter of the CPU time.
// Arguments go to tsc; the exit status is tsc's.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
export const nativeTsc = path.join(path.dirname(require.resolve("typescript-native/package.json")), "bin", "tsc");

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = spawnSync(process.execPath, [nativeTsc, "--noEmit", ...process.argv.slice(2)], { stdio: "inherit" });
  process.exitCode = result.status ?? 1;
}
