// The build caches' shared parts: the synth bundle (scripts/app-bundle.mjs), the release CLI's bundle
// (scripts/release.mjs) and the Lambda bundles (modules/operations/lambda-bundle.ts).
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** Content hash plus size and mtime, so an unchanged file is recognised without reading it. */
function fingerprint(file) {
  try {
    const stat = fs.statSync(file);
    return { size: stat.size, mtimeMs: stat.mtimeMs, sha1: createHash("sha1").update(fs.readFileSync(file)).digest("hex") };
  } catch {
    return { size: -1, mtimeMs: 0, sha1: "missing" };
  }
}

/** Whether `file` still has the content `recorded` describes. */
function unchanged(file, recorded) {
  try {
    const stat = fs.statSync(file);
    if (stat.size === recorded.size && stat.mtimeMs === recorded.mtimeMs) return true;
  } catch {
    return false;
  }
  // Touched (e.g. by a checkout) but maybe not changed: the content decides.
  return fingerprint(file).sha1 === recorded.sha1;
}

/**
 * Writes `file` whole and renames it into place: another synth running at the same time in the same checkout
 * (npm run diff, tests) never reads a half-written file.
 */
function writeAtomically(file, contents) {
  const partial = `${file}.${process.pid}.partial`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(partial, contents);
  fs.renameSync(partial, file);
}

exports.fingerprint = fingerprint;
exports.writeAtomically = writeAtomically;
exports.unchanged = unchanged;
