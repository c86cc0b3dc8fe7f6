// `npm run release`: the release CLI (release/main.ts) bundled with esbuild into .build/release.cjs,
// rebuilt only when one of its own files changes. npm packages stay external (loaded from
// node_modules as they are), and the bundle holds no cdktf: the first AWS call comes well within a second.
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { fingerprint, unchanged, writeAtomically } from "../modules/operations/build-cache.cjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outfile = path.join(root, ".build", "release.cjs");
const inputsFile = path.join(root, ".build", "release.inputs.json");

function isFresh() {
  if (!fs.existsSync(outfile) || !fs.existsSync(inputsFile)) return false;
  const inputs = JSON.parse(fs.readFileSync(inputsFile, "utf8"));
  return Object.entries(inputs).every(([file, recorded]) => unchanged(path.join(root, file), recorded));
}

export async function ensureReleaseBundle() {
  if (isFresh()) return outfile;
  const { build } = await import("esbuild");
  const result = await build({
    absWorkingDir: root,
    entryPoints: ["release/main.ts"],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "cjs",
    metafile: true,
    logLevel: "warning",
    write: false,
  });
  writeAtomically(outfile, result.outputFiles[0].contents);
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((file) => [file, fingerprint(path.join(root, file))]));
  inputs["scripts/release.mjs"] = fingerprint(path.join(root, "scripts/release.mjs"));
  writeAtomically(inputsFile, JSON.stringify(inputs));
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  createRequire(import.meta.url)(await ensureReleaseBundle());
}
