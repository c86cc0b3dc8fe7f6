// The cdktf `app` entry. Type-stripping TypeScript on every synth (tsx/ts-node) costs more than
// the synthesis itself, so main.ts and everything it imports (cdktf and the provider classes too)
// is bundled once with esbuild into .build/app.cjs and rebuilt only when one of its inputs changes;
// V8's compiled code for the bundle is cached beside it.
import { ensureAppBundle, runBundle } from "./app-bundle.mjs";

runBundle(await ensureAppBundle());
