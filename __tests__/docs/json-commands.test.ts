import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ENVIRONMENTS } from "../../stacks/environments";

/**
 * npm prints its `> pkg@version script` banner on stdout, so `npm run <script> -- --json > file`
 * writes it into the file: every command the docs give with --json, --markdown or a redirect of
 * stdout runs npm silently (`npm run -s`), and that way stdout is the JSON alone.
 */
const ROOT = path.resolve(__dirname, "../..");
const DOC_FILES = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((file) => file.endsWith(".md") && file !== "configuration.md").map((file) => `docs/${file}`)];
const MACHINE_OUTPUT = /--json|--markdown|\s>\s*[\w.$/-]|\|\s*(jq|node)\b/;

describe("documented machine-readable commands", () => {
  test("each `npm run` the docs pipe or redirect, or give --json / --markdown, is `npm run -s`", () => {
    const loud = DOC_FILES.flatMap((file) =>
      fs
        .readFileSync(path.join(ROOT, file), "utf8")
        .split("\n")
        .flatMap((line, index) => [...line.matchAll(/npm run (?!-s\b|--silent\b)[^`;&|]*/g)].filter((match) => MACHINE_OUTPUT.test(line.slice(match.index))).map(() => `${file}:${index + 1}: ${line.trim()}`)),
    );
    expect(loud).toEqual([]);
  });

  test("GIVEN `npm run -s report -- <environment> --json` as documented THEN stdout is one JSON object", () => {
    const [environment] = Object.keys(ENVIRONMENTS);
    const run = spawnSync("npm", ["run", "-s", "report", "--", environment, "--json"], { cwd: ROOT, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ environment });
  });
});
