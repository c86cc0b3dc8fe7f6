/**
 * `npm run spot-data:update`: replaces the shipped Spot Instance Advisor snapshot with the current
 * dataset from AWS and rewrites its provenance record. Needs internet access; validates the download
 * before anything is written, and writes both files or neither.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { dataDirectory, validateSpotAdvisorData, type DatasetMetadata } from "../stacks/spot-advice/dataset";

export const AWS_SPOT_ADVISOR_URL = "https://spot-bid-advisor.s3.amazonaws.com/spot-advisor-data.json";
const DATA_FILE = "spot-advisor-data.json";
const META_FILE = "spot-advisor-data.meta.json";

export interface UpdateOptions {
  /** Where the snapshot and its metadata are written; default the shipped `spot-advisor/data`. */
  readonly directory?: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly url?: string;
  /** The download time, for the date when the server sends no Last-Modified. */
  readonly now?: Date;
  readonly log?: (line: string) => void;
}

/** Downloads, validates and writes; throws an Error with a message for people (no stack needed) on any failure. */
export async function updateSpotData(options: UpdateOptions = {}): Promise<DatasetMetadata & Record<string, unknown>> {
  const url = options.url ?? AWS_SPOT_ADVISOR_URL;
  const directory = options.directory ?? dataDirectory();
  const log = options.log ?? (() => undefined);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  log(`downloading ${url}`);
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new Error(`could not download ${url} (${detail}): this needs internet access; the shipped snapshot is unchanged`);
  }
  if (!response.ok) throw new Error(`could not download ${url}: HTTP ${response.status} ${response.statusText}; the shipped snapshot is unchanged`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const metadata = describeDownload(bytes, url, response.headers.get("last-modified"), options.now ?? new Date());
  const tmpData = path.join(directory, `.${DATA_FILE}.${process.pid}.tmp`);
  const tmpMeta = path.join(directory, `.${META_FILE}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmpData, bytes);
    fs.writeFileSync(tmpMeta, `${JSON.stringify(metadata, null, 2)}\n`);
    fs.renameSync(tmpData, path.join(directory, DATA_FILE));
    fs.renameSync(tmpMeta, path.join(directory, META_FILE));
  } finally {
    fs.rmSync(tmpData, { force: true });
    fs.rmSync(tmpMeta, { force: true });
  }
  log(`wrote ${path.join(directory, DATA_FILE)} (${bytes.length} bytes, sha256 ${metadata.sha256}, dated ${metadata.date})`);
  return metadata;
}

/** Validates downloaded bytes and describes them; throws, naming the problems, when they are not the dataset. */
export function describeDownload(bytes: Buffer, url: string, lastModified: string | null, now: Date): DatasetMetadata & Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new Error(`${url} did not return JSON (${(error as Error).message}); the shipped snapshot is unchanged`);
  }
  const problems = validateSpotAdvisorData(parsed);
  if (problems.length > 0) {
    throw new Error(`${url} is not the Spot Instance Advisor dataset:\n  - ${problems.join("\n  - ")}\nthe shipped snapshot is unchanged`);
  }
  const modified = lastModified === null ? Number.NaN : Date.parse(lastModified);
  const date = Number.isNaN(modified) ? now : new Date(modified);
  return {
    file: DATA_FILE,
    source: url,
    origin: url,
    date: date.toISOString().slice(0, 10),
    dateBasis: Number.isNaN(modified)
      ? "the dataset carries no date of its own and the server sent no Last-Modified: the download date"
      : "the dataset carries no date of its own: the Last-Modified date of the download",
    sha256: createHash("sha256").update(bytes).digest("hex"),
    bytes: bytes.length,
    license: "AWS-published data (Amazon EC2 Spot Instance Advisor), downloaded by npm run spot-data:update",
    attribution: "Spot Instance Advisor data published by Amazon Web Services",
    subset: "none: the file is shipped whole, byte for byte",
  };
}

if (require.main === module) {
  updateSpotData({ log: (line) => process.stderr.write(`spot-data:update: ${line}\n`) }).then(
    () => undefined,
    (error: Error) => {
      process.stderr.write(`spot-data:update failed: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
