export const ARCHITECTURES = ["arm64", "x86_64"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export interface PoolConfig {
  name: string;
  launchTemplateId: string;
  asgName: string;
  architecture: Architecture;
  pinnedAmiId?: string;
}

export interface Config {
  environment: string;
  stackName: string;
  topicArn: string;
  pools: PoolConfig[];
  autoRefresh: boolean;
  minHealthyPercentage: number;
  instanceWarmupSeconds?: number;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Env = Record<string, string | undefined>;

/** Read per invocation (not at import) so tests and cold starts see the current environment. */
export function loadConfig(env: Env = process.env): Config {
  const environment = required(env, "ENVIRONMENT");
  return {
    environment,
    stackName: optional(env, "STACK_NAME") ?? environment,
    topicArn: topicArn(required(env, "TOPIC_ARN")),
    pools: parsePools(required(env, "POOLS")),
    autoRefresh: parseBoolean(env, "AUTO_REFRESH", false),
    minHealthyPercentage: parseInteger(env, "MIN_HEALTHY_PERCENTAGE", 0, 100) ?? 90,
    instanceWarmupSeconds: parseInteger(env, "INSTANCE_WARMUP_SECONDS", 0, 3600),
  };
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function required(env: Env, name: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new ConfigError(`${name} is required but missing or empty`);
  return value;
}

function topicArn(value: string): string {
  if (!/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/.test(value)) {
    throw new ConfigError(`TOPIC_ARN must be an SNS topic ARN, got "${value}"`);
  }
  return value;
}

function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  if (value === "true" || value === "false") return value === "true";
  throw new ConfigError(`${name} must be "true" or "false", got "${value}"`);
}

function parseInteger(env: Env, name: string, min: number, max: number): number | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function parsePools(raw: string): PoolConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(`POOLS is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ConfigError("POOLS must be a non-empty JSON array of pools");
  }
  const pools = parsed.map((item: unknown, i) => parsePool(item, `POOLS[${i}]`));
  const names = pools.map((p) => p.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new ConfigError(`POOLS has duplicate pool name "${duplicate}"`);
  return pools;
}

function parsePool(item: unknown, at: string): PoolConfig {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw new ConfigError(`${at} must be an object`);
  }
  const o = item as Record<string, unknown>;
  const pool: PoolConfig = {
    name: stringField(o, "name", at, /^\S+$/),
    launchTemplateId: stringField(o, "launchTemplateId", at, /^lt-[0-9a-f]+$/),
    asgName: stringField(o, "asgName", at, /^\S+$/),
    architecture: architectureField(o, at),
  };
  if (o.pinnedAmiId !== undefined) pool.pinnedAmiId = stringField(o, "pinnedAmiId", at, /^ami-[0-9a-f]+$/);
  return pool;
}

function stringField(o: Record<string, unknown>, key: string, at: string, pattern: RegExp): string {
  const value = o[key];
  if (typeof value !== "string" || !pattern.test(value)) {
    throw new ConfigError(`${at}.${key} must be a string matching ${pattern}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function architectureField(o: Record<string, unknown>, at: string): Architecture {
  const value = o.architecture;
  if (!ARCHITECTURES.includes(value as Architecture)) {
    throw new ConfigError(`${at}.architecture must be one of ${ARCHITECTURES.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value as Architecture;
}
