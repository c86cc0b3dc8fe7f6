import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { EXAMPLES, type ExampleName } from "../support/examples";
import { synthEnvironment, synthExample, type Synthesized } from "../support/synth";

/**
 * What the docs quote (npm scripts, stack outputs, resource names in the runbook, ECS service names in commands)
 * must exist in package.json and in the synthesized stacks of the registered environments: an on-call step that
 * names an alarm or an output that does not exist fails at the worst moment.
 */
const ROOT = path.resolve(__dirname, "../..");
const DOC_FILES = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)]
  .filter((file) => file !== "docs/configuration.md"); // generated from the schema, checked by its own test
const docs = DOC_FILES.map((file) => ({ file, text: fs.readFileSync(path.join(ROOT, file), "utf8") }));

// The docs describe the shipped examples (which a team may take out of the registry) and the platform every registered environment gets.
const registered = [
  ...Object.entries(EXAMPLES).map(([name, input]) => ({ input, ...synthExample(name as ExampleName) })),
  ...Object.entries(ENVIRONMENTS).map(([name, input]) => ({ input, ...synthEnvironment(name) })),
];
/**
 * Outputs that exist only in some shapes: a domain whose DNS validation records someone creates by hand
 * (certificate_validation_records). Each environment with a domain is synthesized once more that way.
 */
const variants = registered.flatMap(({ config, input }) => {
  const domain = config.loadBalancer.domain;
  if (domain?.hostedZoneId === undefined) return [];
  // From the environment file, not the parsed config: parsing fills in defaults that some fields refuse to be given (a service job's cpu).
  return [synthEnvironment({ ...input, loadBalancer: { ...input.loadBalancer, domain: { ...domain, hostedZoneId: undefined } } } as EnvironmentInput)];
});
const stacks: Synthesized[] = [...registered, ...variants].map(({ json }) => json);

/** Every string in the resources' arguments, the names among them. */
function stringLeaves(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === "string") into.add(value);
  else if (Array.isArray(value)) value.forEach((v) => stringLeaves(v, into));
  else if (value !== null && typeof value === "object") Object.values(value).forEach((v) => stringLeaves(v, into));
  return into;
}
const synthesizedStrings = stacks.reduce((all, json) => stringLeaves(json.resource, all), new Set<string>());
const outputNames = new Set(stacks.flatMap((json) => Object.keys(json.output ?? {})));
const ecsServiceNames = new Set(stacks.flatMap((json) => Object.values(json.resource?.aws_ecs_service ?? {}).map((s) => String(s.name))));

/** A quoted name with placeholders (`<project>`, `<env>`, `<service>` ...) as a regular expression. */
function namePattern(quoted: string): RegExp {
  const escaped = quoted.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const withPlaceholders = escaped
    .replace(/<project>/g, "acme-api")
    .replace(/<account>/g, ".+")
    .replace(/<(env|environment)>|\\\$ENV/g, `(${registered.map(({ config }) => config.environment).join("|")})`)
    .replace(/<[a-z-]+>/g, "[a-z0-9-]+");
  return new RegExp(`^${withPlaceholders}$`);
}

function occurrences(pattern: RegExp): Array<{ file: string; quoted: string }> {
  return docs.flatMap(({ file, text }) => [...text.matchAll(pattern)].map((m) => ({ file, quoted: m[1] })));
}
const unique = <T extends { file: string; quoted: string }>(list: T[]) =>
  [...new Map(list.map((item) => [`${item.file}:${item.quoted}`, item])).values()];

describe("names the docs quote exist", () => {
  const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
  const quotedScripts = unique(occurrences(/npm run (?:-s |--silent )?([a-z][a-z:-]*)/g));

  test("GIVEN the docs WHEN they say `npm run X` THEN package.json has script X", () => {
    expect(quotedScripts.length).toBeGreaterThan(10);
    expect(quotedScripts.filter(({ quoted }) => !scripts.includes(quoted))).toEqual([]);
  });

  const quotedOutputs = unique([
    ...occurrences(/terraform output (?:-raw |-json )?([a-z_<>]+)/g),
    ...occurrences(/^\| ((?:`[a-z_<>]+`(?:, )?)+) \|/gm).flatMap(({ file, quoted }) =>
      [...quoted.matchAll(/`([a-z_<>]+)`/g)].map((m) => ({ file, quoted: m[1] }))),
  ].filter(({ quoted }) => quoted.includes("_")));

  test("GIVEN the docs WHEN they name a stack output THEN some registered environment has it", () => {
    expect(quotedOutputs.length).toBeGreaterThan(10);
    const missing = quotedOutputs.filter(({ quoted }) => {
      const pattern = namePattern(quoted.replace(/<[a-z]+>/g, "<name>").replace(/-/g, "_")).source.replace(/\[a-z0-9-\]\+/g, "[a-z0-9_]+");
      return ![...outputNames].some((name) => new RegExp(pattern).test(name));
    });
    expect(missing).toEqual([]);
  });

  const quotedResourceNames = unique(occurrences(/`((?:\/?[a-z]+\/)?(?:<project>|acme-api)-[a-z0-9<>$-]+)`/g));

  test("GIVEN the docs WHEN they name an alarm, queue, log group or function THEN a synthesized resource carries that name", () => {
    expect(quotedResourceNames.length).toBeGreaterThan(10);
    const missing = quotedResourceNames.filter(({ quoted }) => {
      const pattern = namePattern(quoted);
      return ![...synthesizedStrings].some((value) => pattern.test(value));
    });
    expect(missing).toEqual([]);
  });

  const quotedServices = unique(occurrences(/--(?:services|service-name) ([a-z0-9-]+)/g));

  test("GIVEN the docs WHEN an aws ecs command names a service THEN it is an ECS service's name", () => {
    expect(quotedServices.length).toBeGreaterThan(0);
    expect(quotedServices.filter(({ quoted }) => !ecsServiceNames.has(quoted))).toEqual([]);
  });

  test.each([
    ["a script", "npm run deploy-everything", /npm run (?:-s |--silent )?([a-z][a-z:-]*)/g],
  ])("GIVEN a made-up quote (%s) THEN the check would catch it", (_kind, text, pattern) => {
    const [match] = [...text.matchAll(pattern)];
    expect(scripts.includes(match[1])).toBe(false);
  });

  test("GIVEN a made-up alarm name THEN it matches no synthesized resource", () => {
    const pattern = namePattern("<project>-cpu-reservation-high-<env>");
    expect([...synthesizedStrings].some((value) => pattern.test(value))).toBe(false);
  });
});
