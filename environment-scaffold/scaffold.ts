/**
 * `npm run new-env`: a new environment file copied from an existing one, registered in
 * stacks/environments/index.ts, with every value that must differ between environments (hosts,
 * e-mails, CIDRs, account ids, domains, network ids, secrets, CI subjects, state workspace/key)
 * replaced by a placeholder that validation refuses until it is filled in.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EnvironmentInput } from "../stacks/config";
import { formatPath } from "../stacks/config/problems";
import { placeholder } from "../stacks/config/placeholders";
import { LOCK_UPDATE_COMMAND } from "../change-safety/address-lock";

/** Bad input (exit 2) or a failure to do what was asked (exit 1); nothing has been written either way. */
export class ScaffoldError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = "ScaffoldError";
  }
}

export interface ScaffoldOptions {
  /** The repository root (holds stacks/environments). */
  readonly root: string;
  /** The new environment's name (= stack name). */
  readonly name: string;
  /** The environment to copy. */
  readonly from: string;
  /** Every registered environment, by name (the source's values are read from here). */
  readonly environments: Readonly<Record<string, EnvironmentInput>>;
}

export interface ScaffoldResult {
  /** The new file, relative to root. */
  readonly file: string;
  /** The registry it was added to, relative to root. */
  readonly index: string;
  /** What to run once the placeholders are filled, in order. */
  readonly next: readonly string[];
  /** Each placeholder left to fill: the config path and what to fill in. */
  readonly placeholders: ReadonlyArray<{ readonly path: string; readonly fill: string }>;
  /** Settings copied from the source that a new environment had better not keep: the config path and why. */
  readonly advice: ReadonlyArray<{ readonly path: string; readonly advice: string }>;
}

/**
 * What a new environment should not copy without thinking: Spot Fleet is a legacy API (AWS recommends Auto
 * Scaling groups or EC2 Fleet), so an environment copied from a spot-fleet one is pointed at capacity providers.
 */
export function scaffoldAdvice(source: EnvironmentInput): ScaffoldResult["advice"] {
  if (source.capacity.mode !== "spot-fleet") return [];
  return [
    {
      path: "capacity.mode",
      advice:
        'copied "spot-fleet": AWS calls Spot Fleet a legacy API (no new features; it recommends Auto Scaling groups or EC2 Fleet). ' +
        'For a new environment prefer "capacity-providers" (capacity.onDemand + capacity.spot + capacity.strategy): ECS managed scaling, ' +
        "managed draining and the ASG's capacity rebalance, with the drainer as backstop. See docs/spot.md, \"Spot Fleet: a legacy API\"",
    },
  ];
}

const NAME = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const MAX_NAME = 12;
// Reserved words, strict-mode restricted names (eval, arguments) and the globals a module-level const would shadow.
const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await eval arguments undefined".split(
    " ",
  ),
);
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The exported const of an environment file: `qa-eu` → `qaEu`, `qa-1` → `qa1` (`deleteEnv` where the name is a reserved word). */
export function constName(name: string): string {
  const camel = name.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
  return RESERVED.has(camel) ? `${camel}Env` : camel;
}

/** What is wrong with a new environment name, or undefined. */
export function nameProblem(name: string): string | undefined {
  if (!NAME.test(name)) return `"${name}" must be lowercase letters, digits and hyphens, start with a letter and not end with a hyphen`;
  if (name.includes("--")) return `"${name}" must not hold two hyphens in a row (write "${name.replace(/-+/g, "-")}")`;
  if (name.length > MAX_NAME) return `"${name}" must be at most ${MAX_NAME} characters (it is part of every resource name)`;
  // Tools look environments up by name in a plain object: a name of Object.prototype's would find something that is no environment.
  if (name in Object.prototype) return `"${name}" is a name every JavaScript object has; pick another name`;
  if (!IDENTIFIER.test(constName(name))) return `"${name}" gives the identifier ${constName(name)}, which is not valid TypeScript; pick another name`;
  return undefined;
}

/** An environment registered already whose file exports the same identifier as `name` would (qa-1 and qa1 both give qa1). */
function identifierClash(name: string, registered: readonly string[], registry: string): string | undefined {
  const identifier = constName(name);
  const owner = registered.find((other) => constName(other) === identifier);
  if (owner !== undefined) return `environment "${owner}"`;
  const imported = [...registry.matchAll(/^import \{([^}]*)\} from/gm)].flatMap((match) => match[1].split(",").map((part) => part.trim().split(/\s+as\s+/).pop() ?? ""));
  return imported.includes(identifier) ? "an import of stacks/environments/index.ts" : undefined;
}

interface Replacement {
  readonly path: string;
  readonly value: string;
  readonly fill: string;
}

/** The values of `input` that must not be carried into environment `name`, each with what to fill in instead. */
export function valuesToReplace(input: EnvironmentInput, name: string): Replacement[] {
  const found: Replacement[] = [];
  const add = (where: string, value: unknown, fill: string) => {
    if (typeof value === "string") found.push({ path: where, value, fill: `${fill} (was ${value})` });
  };
  const each = (where: string, values: readonly unknown[] | undefined, fill: string) => values?.forEach((value, index) => add(`${where}.${index}`, value, fill));

  each("allowedAccountIds", input.allowedAccountIds, `the 12-digit AWS account id of ${name}`);
  if (input.backend?.type === "cloud") add("backend.workspace", input.backend.workspace, `the Terraform Cloud workspace of ${name}`);
  if (input.backend?.type === "s3") add("backend.key", input.backend.key, `the state key of ${name}, e.g. ${input.project}/${name}/terraform.tfstate`);
  const network = input.network;
  if (network.mode === "create") {
    add("network.cidr", network.cidr, `an IPv4 CIDR (/16 to /22) for the VPC of ${name} that overlaps no network it will be peered with`);
  } else {
    add("network.vpcId", network.vpcId, `the VPC id of ${name}`);
    each("network.publicSubnetIds", network.publicSubnetIds, `a public subnet id in the VPC of ${name}`);
    each("network.instanceSubnetIds", network.instanceSubnetIds, `an instance subnet id in the VPC of ${name}`);
  }
  const loadBalancer = input.loadBalancer ?? {};
  each(
    "loadBalancer.ingressCidrs",
    loadBalancer.ingressCidrs?.filter((cidr) => cidr !== "0.0.0.0/0"),
    `a CIDR allowed to reach the load balancer of ${name}`,
  );
  add("loadBalancer.certificateArn", loadBalancer.certificateArn, `an ACM certificate ARN for the domain of ${name}`);
  add("loadBalancer.domain.name", loadBalancer.domain?.name, `the domain of ${name}, e.g. api.${name}.example.com`);
  each("loadBalancer.domain.subjectAlternativeNames", loadBalancer.domain?.subjectAlternativeNames, `another domain on the certificate of ${name}`);
  add("loadBalancer.domain.hostedZoneId", loadBalancer.domain?.hostedZoneId, `the Route 53 hosted zone id of the domain of ${name}`);
  for (const service of input.services ?? []) {
    each(`services[${service.name}].hostHeaders`, service.hostHeaders, `a host name of service ${service.name} in ${name}`);
    for (const [key, arn] of Object.entries(service.secrets ?? {})) add(`services[${service.name}].secrets.${key}`, arn, `the ARN of secret ${key} in ${name}`);
    add(`services[${service.name}].repositoryCredentialsSecretArn`, service.repositoryCredentialsSecretArn, `the registry credentials secret ARN of ${name}`);
  }
  each("amiWatch.emails", input.amiWatch?.emails, `an e-mail address for the AMI reports of ${name}`);
  each("alerts.emails", input.alerts?.emails, `an e-mail address for the alerts of ${name}`);
  add("alerts.topicArn", input.alerts?.topicArn, `an SNS topic ARN for the alerts of ${name}`);
  each("ciDeploy.subjects", input.ciDeploy?.subjects, `an OIDC subject allowed to deploy ${name}`);
  add("ciDeploy.oidcProviderArn", input.ciDeploy?.oidcProviderArn, `the IAM OIDC provider ARN in the account of ${name}`);

  // Any other text naming one of the source's hosts (a job's URL, a command) must change too.
  const hosts = found.filter((entry) => /hostHeaders|domain/.test(entry.path)).map((entry) => entry.value);
  const known = new Set(found.map((entry) => entry.value));
  const visit = (value: unknown, where: PropertyKey[]): void => {
    if (typeof value === "string") {
      if (!known.has(value) && hosts.some((host) => value.includes(host))) {
        found.push({ path: formatPath(input, where), value, fill: `this text for ${name}: it names a host of the environment it was copied from (was ${value})` });
        known.add(value);
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...where, index]));
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) visit(item, [...where, key]);
    }
  };
  visit(input, []);
  return found;
}

const literal = (value: string): string => JSON.stringify(value);

/**
 * The file and the exported const of environment `name`, as stacks/environments/index.ts lists and imports it;
 * undefined when the listing does not name it. Throws when it names it but its import cannot be read.
 */
function registeredSource(registry: string, name: string): { file: string; constant: string } | undefined {
  const code = registry.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
  const listing = /export const ENVIRONMENTS[^=]*=\s*\{([^}]*)\}/.exec(code)?.[1] ?? "";
  // `staging`, `production: teamProduction`, `"qa-1": qa1` or `'qa-1': qa1`
  const entries = listing.split(",").map((entry) => /^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z_$][\w$]*))\s*(?::\s*([A-Za-z_$][\w$]*))?\s*$/.exec(entry));
  const entry = entries.find((match) => match !== null && (match[1] ?? match[2] ?? match[3]) === name);
  if (!entry) return undefined;
  const local = entry[4] ?? entry[3];
  for (const [, specifiers, from] of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']([^"']+)["']/g)) {
    for (const specifier of specifiers.split(",")) {
      const [exported, alias] = specifier.trim().split(/\s+as\s+/);
      if ((alias ?? exported) === local && from.startsWith("./")) return { file: `${from.slice(2)}.ts`, constant: exported };
    }
  }
  throw new ScaffoldError(`cannot tell which file stacks/environments/index.ts imports environment "${name}" (${local}) from; copy it by hand`, 1);
}

/** Creates `stacks/environments/<name>.ts` from `<from>.ts` and registers it; validates everything before writing. */
export function scaffoldEnvironment(options: ScaffoldOptions): ScaffoldResult {
  const { root, name, from } = options;
  const problem = nameProblem(name);
  if (problem) throw new ScaffoldError(`environment name ${problem}`, 2);
  const source = options.environments[from];
  if (!source) throw new ScaffoldError(`--from: unknown environment "${from}"; known: ${Object.keys(options.environments).join(", ")}`, 2);
  const directory = path.join(root, "stacks", "environments");
  const file = path.join(directory, `${name}.ts`);
  const index = path.join(directory, "index.ts");
  if (options.environments[name] || fs.existsSync(file)) {
    throw new ScaffoldError(`environment "${name}" exists already (${path.relative(root, file)}); pick another name (an example's file is a test fixture: copy it, do not edit it)`, 2);
  }

  const registry = fs.readFileSync(index, "utf8");
  const clash = identifierClash(name, Object.keys(options.environments), registry);
  if (clash !== undefined) {
    throw new ScaffoldError(`environment name "${name}" would be exported as \`${constName(name)}\`, which ${clash} already uses; pick a name that differs after camel-casing`, 2);
  }

  // The file the registry imports the source from: a team's `production` need not live in production.ts.
  const origin = registeredSource(registry, from) ?? { file: `${from}.ts`, constant: constName(from) };
  const sourceFile = path.join(directory, origin.file);
  if (!fs.existsSync(sourceFile)) throw new ScaffoldError(`cannot find ${path.relative(root, sourceFile)}, the file of environment "${from}"`, 1);
  let text = fs.readFileSync(sourceFile, "utf8");
  const [fromConst, newConst] = [origin.constant, constName(name)];
  const declaration = new RegExp(`(?:/\\*\\*[\\s\\S]*?\\*/\\s*)?export const ${fromConst}: EnvironmentInput = \\{`);
  if (!declaration.test(text)) throw new ScaffoldError(`${path.relative(root, sourceFile)} does not declare \`export const ${fromConst}: EnvironmentInput = {\``, 1);
  text = text.replace(
    declaration,
    `/**\n * ${name}: created by \`npm run new-env -- ${name} --from ${from}\`. Every FILL-ME placeholder must be\n * replaced before this environment validates; synth lists the ones left.\n */\nexport const ${newConst}: EnvironmentInput = {`,
  );
  const environmentField = `environment: ${literal(from)}`;
  if (!text.includes(environmentField)) throw new ScaffoldError(`${path.relative(root, sourceFile)} does not say \`${environmentField}\``, 1);
  text = text.replace(environmentField, `environment: ${literal(name)}`);

  const replacements = valuesToReplace(source, name);
  const missing = replacements.filter((entry) => !text.includes(literal(entry.value)));
  if (missing.length > 0) {
    throw new ScaffoldError(`cannot find these values of ${from} as string literals in its file, copy it by hand: ${missing.map((entry) => entry.path).join(", ")}`, 1);
  }
  // A value used in several places (one address for AMI reports and alerts) gets each place's own placeholder, in file order.
  for (const value of new Set(replacements.map((entry) => entry.value))) {
    const uses = replacements.filter((entry) => entry.value === value);
    const parts = text.split(literal(value));
    text = parts.reduce((joined, part, index) => `${joined}${literal(placeholder(uses[Math.min(index - 1, uses.length - 1)].fill))}${part}`);
  }

  const imports = [...registry.matchAll(/^import .*;$/gm)];
  const listing = /(export const ENVIRONMENTS[^=]*= \{)([^}]*)(\};)/.exec(registry);
  if (imports.length === 0 || !listing) throw new ScaffoldError(`cannot find the ENVIRONMENTS listing in ${path.relative(root, index)}`, 1);
  const last = imports[imports.length - 1];
  const key = newConst === name ? name : `${literal(name)}: ${newConst}`;
  const entries = listing[2].trim().replace(/,$/, "");
  let updated = `${registry.slice(0, last.index + last[0].length)}\nimport { ${newConst} } from "./${name}";${registry.slice(last.index + last[0].length)}`;
  updated = updated.replace(listing[0], `${listing[1]} ${entries}${entries === "" ? "" : ","} ${key} ${listing[3]}`);

  fs.writeFileSync(file, text, { flag: "wx" });
  try {
    fs.writeFileSync(index, updated);
  } catch (error) {
    fs.rmSync(file, { force: true });
    throw new ScaffoldError(`could not register ${name} in ${path.relative(root, index)}: ${(error as Error).message}`, 1);
  }
  const relativeFile = path.relative(root, file);
  return {
    file: relativeFile,
    index: path.relative(root, index),
    placeholders: replacements.map((entry) => ({ path: entry.path, fill: entry.fill })),
    advice: scaffoldAdvice(source),
    next: [
      `fill in the ${replacements.length} FILL-ME placeholder(s) of ${relativeFile}`,
      "npx cdktf synth (lists any placeholder left)",
      // Addresses depend on filled-in values (a DNS record's id holds its host), so the lock can only be taken after filling.
      `${LOCK_UPDATE_COMMAND} (writes change-safety/addresses/${name}.txt, the address lock; again after adding or removing services, jobs or hosts)`,
      "npm test",
    ],
  };
}
