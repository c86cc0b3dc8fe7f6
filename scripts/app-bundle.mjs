import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { fingerprint, unchanged } from "./file-fingerprint.cjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outfile = path.join(root, ".build", "app.cjs");
const inputsFile = path.join(root, ".build", "app.inputs.json");

/** True when the bundle exists and every file it was built from still has the same content. */
function isFresh() {
  if (!fs.existsSync(outfile) || !fs.existsSync(inputsFile)) return false;
  const inputs = JSON.parse(fs.readFileSync(inputsFile, "utf8"));
  return Object.entries(inputs).every(([file, recorded]) => unchanged(path.join(root, file), recorded));
}

/** Builds .build/app.cjs from main.ts unless it is up to date; returns its path. */
export async function ensureAppBundle({ force = false } = {}) {
  if (!force && isFresh()) return outfile;
  const { build } = await import("esbuild");
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // esbuild is a native binary package: the app calls it to bundle Lambda handlers.
    external: ["esbuild"],
    metafile: true,
    logLevel: "warning",
  });
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((file) => [file, fingerprint(path.join(root, file))]));
  for (const file of ["package-lock.json", "scripts/app-bundle.mjs"]) inputs[file] = fingerprint(path.join(root, file));
  fs.writeFileSync(inputsFile, JSON.stringify(inputs));
  return outfile;
}
