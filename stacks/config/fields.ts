/** Field types and patterns the per-concern schemas share, and the deprecated-spelling warnings of a parse. */
import { z } from "zod";
import { isValidCidr, LOG_RETENTION_DAYS } from "./validators";
import { instanceTypeSpec, similarlySpelledTypes } from "../../instance-types";

const NAME_CHARSET = /^[a-z][a-z0-9-]*[a-z0-9]$/;
export const REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d$/;
const INSTANCE_TYPE =
  /^(?:[a-z]+\d+[a-z0-9-]*|u-\d+tb\d+)\.(?:nano|micro|small|medium|large|xlarge|[1-9]\d*xlarge|metal(?:-\d+xl)?)$/;
export const ACCOUNT_ID = /^\d{12}$/;
export const AMI_ID = /^ami-[0-9a-f]{8,17}$/;
export const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
export const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
export const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/;
export const SECRET_ARN = /^arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:\d{12}:(parameter\/|secret:).+$/;
export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A lowercase DNS-safe name with a length limit, used for project, environment, services and jobs. */
export const dnsName = (maxLength: number) =>
  z
    .string()
    .max(maxLength, `must be at most ${maxLength} characters`)
    .regex(NAME_CHARSET, "must be lowercase letters, digits and hyphens, start with a letter and not end with a hyphen");

export const int = (min: number, max: number) => z.number().int("must be an integer").min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);
export const percent = () => int(0, 100);
export const port = () => int(1, 65535);
/** An instance type the bundled table knows (instance-types/): the error says how it is spelled right. */
export const instanceType = () =>
  z.string().superRefine((type, ctx) => {
    if (!INSTANCE_TYPE.test(type)) {
      const lower = type.toLowerCase();
      const hint = lower !== type && INSTANCE_TYPE.test(lower) ? `instance types are lowercase: write "${lower}"` : "must be an EC2 instance type such as m7g.large";
      ctx.addIssue({ code: "custom", message: `${hint} (got "${type}")` });
    } else if (instanceTypeSpec(type) === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `"${type}" is not an EC2 instance type (not in the bundled table, instance-types/instance-types.json); did you mean ${similarlySpelledTypes(type).join(", ")}? A type newer than the table: refresh it with npm run spot-data:update and npm run instance-types:update`,
      });
    }
  });
export const logRetentionDays = () =>
  z
    .number()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention values; never-expire is refused)`,
    })
    .meta({ enum: [...LOG_RETENTION_DAYS] });
export const cidr = () => z.string().refine(isValidCidr, { message: "must be an IPv4 CIDR block such as 10.0.0.0/16" });

/**
 * Values spelled the one documented way (kebab-case, like every other enum in the config), with the
 * old spellings still accepted: each use of one is reported once per parse as a deprecation warning.
 * The parsed value is `output(value)`, so constructs get what the AWS API wants.
 */
export function kebabEnum<const Values extends readonly [string, ...string[]], Output extends string>(
  field: string,
  values: Values,
  deprecated: Readonly<Record<string, Values[number]>>,
  output: (value: Values[number]) => Output,
) {
  const old = Object.keys(deprecated) as [string, ...string[]];
  const documented = values.map((value) => `"${value}"`).join(", ");
  return z
    .union([z.enum(values), z.enum(old).meta({ deprecated: true })], { error: () => `must be one of ${documented}` })
    .transform((value) => {
      const documented = (deprecated[value] ?? value) as Values[number];
      if (documented !== value) deprecations?.push(`${field}: "${value}" is a deprecated spelling; write "${documented}"`);
      return output(documented);
    });
}
/** Deprecation warnings of the parse under way (parsing is synchronous, so one list at a time). */
let deprecations: string[] | undefined;

/** Runs `parse` collecting the deprecated spellings it meets into `warnings`. */
export function collectingDeprecations<T>(warnings: string[], parse: () => T): T {
  deprecations = warnings;
  try {
    return parse();
  } finally {
    deprecations = undefined;
  }
}
