import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { fingerprint, unchanged, type Fingerprint } from "../scripts/file-fingerprint.cjs";

/** A Lambda handler bundled into a deployable zip. */
export interface LambdaBundle {
  /** Absolute path of the zip (one `index.js` inside). */
  readonly zipPath: string;
  /** SHA-256 of the bundled code: changes only when the code does. */
  readonly codeHash: string;
  /** Size of the zip in bytes. */
  readonly zipBytes: number;
}

const bundles = new Map<string, LambdaBundle>();

/**
 * Bundles a TypeScript handler with esbuild (minified, CommonJS, Node.js 22) into
 * `<cacheDir>/<name>/bundle.zip`. The result is reused while none of the files esbuild read
 * changed, so synthesizing several stacks, or synthesizing again, costs a hash check, not a build.
 * The zip is byte-for-byte reproducible (fixed timestamps), so its hash is stable across machines.
 */
export function bundleLambda(entry: string, cacheDir: string): LambdaBundle {
  const cached = bundles.get(entry);
  if (cached) return cached;
  const outDir = path.join(cacheDir, path.basename(path.dirname(entry)));
  const bundle = reuseBundle(outDir) ?? buildBundle(entry, outDir);
  bundles.set(entry, bundle);
  return bundle;
}

interface BundleManifest {
  readonly entry: string;
  readonly inputs: Record<string, Fingerprint>;
  readonly codeHash: string;
}

function reuseBundle(outDir: string): LambdaBundle | undefined {
  const manifestPath = path.join(outDir, "manifest.json");
  const zipPath = path.join(outDir, "bundle.zip");
  if (!fs.existsSync(manifestPath) || !fs.existsSync(zipPath)) return undefined;
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as BundleManifest;
  const fresh = Object.entries(manifest.inputs).every(([file, recorded]) => unchanged(file, recorded));
  return fresh ? { zipPath, codeHash: manifest.codeHash, zipBytes: fs.statSync(zipPath).size } : undefined;
}

function buildBundle(entry: string, outDir: string): LambdaBundle {
  // Loaded lazily: esbuild is only needed when a bundle is stale.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  const result = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    write: false,
    metafile: true,
    legalComments: "none",
    logLevel: "error",
    absWorkingDir: path.dirname(entry),
    outfile: "index.js",
  });
  const code = Buffer.from(result.outputFiles[0].contents);
  const codeHash = createHash("sha256").update(code).digest("hex");
  const zip = zipSingleFile("index.js", code);
  fs.mkdirSync(outDir, { recursive: true });
  const zipPath = path.join(outDir, "bundle.zip");
  fs.writeFileSync(zipPath, zip);
  const root = path.dirname(entry);
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs).map((file) => {
      const absolute = path.resolve(root, file);
      return [absolute, fingerprint(absolute)];
    }),
  );
  const manifest: BundleManifest = { entry, inputs, codeHash };
  fs.writeFileSync(path.join(outDir, "manifest.json"), JSON.stringify(manifest));
  return { zipPath, codeHash, zipBytes: zip.length };
}

/** A zip archive with one deflated file and a fixed 1980-01-01 timestamp, so equal code gives equal bytes. */
export function zipSingleFile(name: string, content: Buffer): Buffer {
  const fileName = Buffer.from(name, "utf8");
  const compressed = deflateRawSync(content, { level: 9 });
  const checksum = crc32(content);
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(checksum, 14);
  local.writeUInt32LE(compressed.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x031e, 4); // made by Unix, zip 3.0: lets the mode below apply
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(checksum, 16);
  central.writeUInt32LE(compressed.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt16LE(0, 30);
  central.writeUInt16LE(0, 32);
  central.writeUInt16LE(0, 34);
  central.writeUInt16LE(0, 36);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
  central.writeUInt32LE(0, 42);

  const localSize = local.length + fileName.length + compressed.length;
  const centralSize = central.length + fileName.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(localSize, 16);
  end.writeUInt16LE(0, 20);

  return Buffer.concat([local, fileName, compressed, central, fileName, end]);
}
