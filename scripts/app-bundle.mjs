import * as fs from "node:fs";
import { createRequire, Module } from "node:module";
import * as path from "node:path";
import * as vm from "node:vm";
import { fileURLToPath } from "node:url";
import { fingerprint, unchanged, writeAtomically } from "../modules/operations/build-cache.cjs";

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
  const result = await bundleApp({ outfile });
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((file) => [file, fingerprint(path.join(root, file))]));
  for (const file of ["package-lock.json", "scripts/app-bundle.mjs"]) inputs[file] = fingerprint(path.join(root, file));
  writeAtomically(inputsFile, JSON.stringify(inputs));
  return outfile;
}

/**
 * esbuild's bundle of main.ts with `overrides` (e.g. `{ outfile, plugins }`), written to its outfile: the
 * benchmark's scale case builds the same app with generated environments.
 */
export async function bundleApp(overrides) {
  const { build } = await import("esbuild");
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // esbuild is a native binary package: the app calls it to bundle Lambda handlers.
    external: ["esbuild"],
    metafile: true,
    logLevel: "warning",
    ...overrides,
    write: false,
  });
  writeAtomically(result.outputFiles[0].path, asciiOnly(result.outputFiles[0].text));
  return result;
}

/**
 * The bundle with the non-ASCII characters of its comment lines written as \u escapes. esbuild escapes them in
 * code (its default charset) but keeps the comments it copies as they are, and a single one (zod has two) makes
 * V8 hold the whole 6 MB source, which it keeps for lazy compilation, as a two-byte string: 6 MB more memory
 * in every synth (cdktn's documentation comments hold more). Only lines that are comments are touched (they
 * start with `//`, `/*` or, inside a block comment, `*`): esbuild leaves non-ASCII raw in String.raw templates
 * and regular expressions too, where an escape would change what the code does, so any such character stays as
 * it is (and the bundle test, which wants ASCII only, names its line).
 */
function asciiOnly(code) {
  return code.replace(/^[ \t]*(?:\/\/|\/\*|\*).*$/gm, (comment) => comment.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/**
 * Runs the bundle like `require` would, but through a V8 code cache kept next to it (keyed by the
 * bundle's size and mtime, so a rebuilt bundle never meets stale code): compiling the 5 MB bundle
 * is a sixth of a synth, and Node 20 has no built-in compile cache.
 */
export function runBundle(bundle) {
  const stat = fs.statSync(bundle);
  const cacheFile = `${bundle}.${stat.size}-${Math.trunc(stat.mtimeMs)}.v8cache`;
  const cachedData = fs.existsSync(cacheFile) ? fs.readFileSync(cacheFile) : undefined;
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, "utf8")), { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  if (cachedData === undefined || script.cachedDataRejected) {
    for (const stale of fs.readdirSync(path.dirname(bundle)).filter((name) => name.endsWith(".v8cache"))) {
      fs.rmSync(path.join(path.dirname(bundle), stale), { force: true });
    }
    // Taken after the run, so it holds the functions synthesis actually compiled.
    fs.writeFileSync(cacheFile, script.createCachedData());
  }
}
