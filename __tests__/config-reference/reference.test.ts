import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { environmentJsonSchema, renderReference, undescribedFields } from "../../config-reference/render";

const root = path.resolve(__dirname, "../..");

describe("the configuration reference (docs/configuration.md, docs/environment.schema.json)", () => {
  test("every config field has a description in the schema (.describe() on the field)", () => {
    expect(undescribedFields(environmentJsonSchema())).toEqual([]);
  });

  test.each(Object.keys(renderReference()))("the committed %s is what the schema generates", (file) => {
    // GIVEN the file as committed / WHEN the schema is rendered again
    const committed = fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file), "utf8") : "(missing)";
    const fresh = renderReference()[file];
    // THEN they are the same, or the message says how to fix it
    if (committed !== fresh) expect.fail(`${file} is stale: run \`npm run docs\` and commit the result`);
  });

  test("the reference has a row for every field, with its default and allowed values", () => {
    const markdown = renderReference()["docs/configuration.md"];
    expect(markdown).toContain("| `deadlineMarginSeconds` | integer | `10` | 0 to 60 | Seconds kept free before the 2-minute cliff");
    expect(markdown).toContain("| `natGateways` | string | **required** | one of `none`, `single`, `per-az` |");
    expect(markdown).toContain("#### `network` with `mode: \"create\"`");
  });

  test("the JSON Schema for editors refuses unknown keys and lists the documented enum spellings", () => {
    const schema = JSON.parse(renderReference()["docs/environment.schema.json"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.capacity.properties.spot.properties.allocationStrategy.enum).toContain("price-capacity-optimized");
  });
});
