import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { fingerprint, unchanged, writeAtomically, type Fingerprint } from "./build-cache.cjs";

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
  const zipPath = path.join(outDir, "bundle.zip");
  // The zip before the manifest that declares it fresh, each renamed into place whole.
  writeAtomically(zipPath, zip);
  const root = path.dirname(entry);
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs).map((file) => {
      const absolute = path.resolve(root, file);
      return [absolute, fingerprint(absolute)];
    }),
  );
  const manifest: BundleManifest = { entry, inputs, codeHash };
  writeAtomically(path.join(outDir, "manifest.json"), JSON.stringify(manifest));
  return { zipPath, codeHash, zipBytes: zip.length };
}

/** A zip archive with one deflated file and a fixed 1980-01-01 timestamp, so equal code gives equal bytes. */
export function zipSingleFile(name: string, content: Buffer): Buffer {
  const fileName = Buffer.from(name, "utf8");
  const compressed = deflateRawSync(content, { level: 9 });

  // The fields the local header and the central directory entry share, from "version needed" on:
  // zip 2.0, no flags, deflate, 1980-01-01 00:00, CRC-32, sizes, name length.
  const shared = Buffer.alloc(26);
  shared.writeUInt16LE(20, 0);
  shared.writeUInt16LE(0, 2);
  shared.writeUInt16LE(8, 4);
  shared.writeUInt16LE(0, 6);
  shared.writeUInt16LE((0 << 9) | (1 << 5) | 1, 8);
  shared.writeUInt32LE(crc32(content), 10);
  shared.writeUInt32LE(compressed.length, 14);
  shared.writeUInt32LE(content.length, 18);
  shared.writeUInt16LE(fileName.length, 22);
  shared.writeUInt16LE(0, 24); // extra field length

  const localSignature = Buffer.alloc(4);
  localSignature.writeUInt32LE(0x04034b50, 0);
  const local = Buffer.concat([localSignature, shared]);

  const centralHead = Buffer.alloc(6);
  centralHead.writeUInt32LE(0x02014b50, 0);
  centralHead.writeUInt16LE(0x031e, 4); // made by Unix, zip 3.0: lets the mode below apply
  const centralTail = Buffer.alloc(14); // comment length, disk, internal attributes, then:
  centralTail.writeUInt32LE((0o100644 << 16) >>> 0, 6); // external attributes: regular file, rw-r--r--
  centralTail.writeUInt32LE(0, 10); // offset of the local header
  const central = Buffer.concat([centralHead, shared, centralTail]);

  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(local.length + fileName.length + compressed.length, 16);

  return Buffer.concat([local, fileName, compressed, central, fileName, end]);
}
