// The cdktf `app` entry. Type-stripping TypeScript on every synth (tsx/ts-node) costs more than
// the synthesis itself, so main.ts and everything it imports (cdktf and the provider classes too)
// is bundled once with esbuild into .build/app.cjs and rebuilt only when one of its inputs changes;
// V8's compiled code for the bundle is cached beside it.
import { ensureAppBundle, runBundle } from "./app-bundle.mjs";

let bundle;
try {
  bundle = await ensureAppBundle();
} catch (error) {
  // esbuild has printed each error with its file and line (a missing import, a syntax error); its stack says nothing more.
  if (!Array.isArray(error?.errors)) throw error;
  process.stderr.write(`synthesis failed: the app does not build (${error.errors.length} error(s) above)\n`);
  process.exit(1);
}
runBundle(bundle);
