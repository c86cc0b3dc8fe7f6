import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { loadSpotDataset } from "../../stacks/spot-advice/dataset";
import { AWS_SPOT_ADVISOR_URL, updateSpotData } from "../../spot-advisor/update-data";
import { fixtureData } from "../support/spot-data";

/** A data folder holding an old snapshot, as the shipped one does. */
function dataFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spot-data-"));
  fs.writeFileSync(path.join(dir, "spot-advisor-data.json"), "OLD");
  fs.writeFileSync(path.join(dir, "spot-advisor-data.meta.json"), '{"file":"spot-advisor-data.json","old":true}');
  return dir;
}
const snapshot = (dir: string) => fs.readdirSync(dir).sort().map((file) => [file, fs.readFileSync(path.join(dir, file), "utf8")]);

function fakeFetch(body: string, init: ResponseInit = {}, seen: string[] = []): typeof fetch {
  return (async (url: string | URL | Request) => {
    seen.push(String(url));
    return new Response(body, init);
  }) as typeof fetch;
}

describe("npm run spot-data:update", () => {
  test("downloads from AWS, keeps the bytes as published and records sha256, size and the Last-Modified date", async () => {
    // GIVEN
    const dir = dataFolder();
    const body = JSON.stringify(fixtureData());
    const seen: string[] = [];

    // WHEN
    await updateSpotData({
      directory: dir,
      fetch: fakeFetch(body, { headers: { "last-modified": "Tue, 03 Feb 2026 10:00:00 GMT" } }, seen),
      now: new Date("2026-11-29T12:00:00Z"),
    });

    // THEN
    expect(seen).toEqual([AWS_SPOT_ADVISOR_URL]);
    expect(fs.readFileSync(path.join(dir, "spot-advisor-data.json"), "utf8")).toBe(body);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, "spot-advisor-data.meta.json"), "utf8"));
    expect(meta).toMatchObject({
      file: "spot-advisor-data.json",
      source: AWS_SPOT_ADVISOR_URL,
      date: "2026-02-03",
      sha256: createHash("sha256").update(body).digest("hex"),
      bytes: Buffer.byteLength(body),
    });
    expect(fs.readdirSync(dir).sort()).toEqual(["spot-advisor-data.json", "spot-advisor-data.meta.json"]);
    // and the advisor reads what was written
    expect(loadSpotDataset(dir).pool("eu-west-1", "m5.large")).toEqual({ type: "m5.large", interruption: ">20%", interruptionIndex: 4, savingsPercent: 65 });
  });

  test("without Last-Modified the download date is the dataset's date, and says so", async () => {
    const dir = dataFolder();
    const meta = await updateSpotData({ directory: dir, fetch: fakeFetch(JSON.stringify(fixtureData())), now: new Date("2026-11-29T23:30:00Z") });
    expect(meta.date).toBe("2026-11-29");
    expect(meta.dateBasis).toContain("download date");
  });

  test.each<[string, typeof fetch, RegExp]>([
    [
      "offline",
      (async () => {
        throw new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND spot-bid-advisor.s3.amazonaws.com"), { code: "ENOTFOUND" }) });
      }) as typeof fetch,
      /^could not download https:\/\/spot-bid-advisor\.s3\.amazonaws\.com\/spot-advisor-data\.json \(ENOTFOUND\): this needs internet access; the shipped snapshot is unchanged$/,
    ],
    ["an HTTP error", fakeFetch("denied", { status: 403, statusText: "Forbidden" }), /: HTTP 403 Forbidden; the shipped snapshot is unchanged$/],
    ["not JSON", fakeFetch("<html>"), /did not return JSON .*the shipped snapshot is unchanged$/],
    [
      "JSON of another shape",
      fakeFetch(JSON.stringify({ ...fixtureData(), ranges: "none" })),
      /is not the Spot Instance Advisor dataset:\n {2}- ranges: must be a non-empty array[\s\S]*the shipped snapshot is unchanged$/,
    ],
  ])("%s: fails with a clear message and leaves the snapshot as it was", async (_name, fetchImpl, message) => {
    const dir = dataFolder();
    const before = snapshot(dir);
    await expect(updateSpotData({ directory: dir, fetch: fetchImpl })).rejects.toThrow(message);
    expect(snapshot(dir)).toEqual(before);
  });
});
