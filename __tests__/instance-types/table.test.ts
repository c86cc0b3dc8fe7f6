import * as fs from "node:fs";
import { describe, expect, test } from "vitest";
import { instanceTypeSpec, similarlySpelledTypes, TABLE_FILE } from "../../instance-types";
import { shippedTableText } from "../../instance-types/generate";

describe("the bundled instance-type table", () => {
  test("is what `npm run instance-types:update` generates from the Spot Advisor snapshot and the SDK's type names", () => {
    expect(fs.readFileSync(TABLE_FILE, "utf8"), "run `npm run instance-types:update`").toBe(shippedTableText());
  });

  test.each<[string, ReturnType<typeof instanceTypeSpec>]>([
    ["c7g.large", { type: "c7g.large", architecture: "arm64", size: { vcpu: 2, memoryMiB: 4096 } }],
    ["m7i.xlarge", { type: "m7i.xlarge", architecture: "x86_64", size: { vcpu: 4, memoryMiB: 16384 } }],
    ["t4g.medium", { type: "t4g.medium", architecture: "arm64", size: { vcpu: 2, memoryMiB: 4096 } }],
    ["g5g.xlarge", { type: "g5g.xlarge", architecture: "arm64", size: { vcpu: 4, memoryMiB: 8192 } }],
    ["g4dn.xlarge", { type: "g4dn.xlarge", architecture: "x86_64", size: { vcpu: 4, memoryMiB: 16384 } }],
    // newer than the snapshot: sized as the previous generation, and says so
    ["m8i.large", { type: "m8i.large", architecture: "x86_64", size: { vcpu: 2, memoryMiB: 8192, sizedLike: "m7i.large" } }],
    ["c7gx.large", undefined],
    ["C7g.large", undefined],
  ])("%s", (type, expected) => {
    expect(instanceTypeSpec(type)).toEqual(expected);
  });

  test("suggests the types spelled most alike", () => {
    expect(similarlySpelledTypes("c7gx.large")).toEqual(["c7g.large", "c7gd.large", "c7gn.large"]);
  });
});
