// Rebuilds the synth bundle (.build/app.cjs) unconditionally; `cdktf synth` does it on demand.
import { ensureAppBundle } from "./app-bundle.mjs";

console.log(await ensureAppBundle({ force: true }));
