import { createHash } from "node:crypto";

/** Name length limits of the AWS resources this project names. */
export const NAME_LIMITS = {
  /** ALB and target group names. */
  loadBalancer: 32,
  /** IAM role and Lambda function names. */
  role: 64,
  lambda: 64,
  /** EventBridge rule names. */
  eventRule: 64,
  /** S3 bucket names (also lowercase only). */
  bucket: 63,
  sqsQueue: 80,
  /** Step Functions state machine names. */
  stateMachine: 80,
  /** Default for everything else (ASG, ECS cluster/service, capacity provider, log groups allow more). */
  default: 128,
} as const;

/**
 * Names resources `${project}-${component}-${environment}` so that every environment of every
 * project can live in one account. A name over its limit keeps its readable start and gets a
 * short hash of the full name, so it stays unique and stable.
 */
export class Naming {
  constructor(
    readonly project: string,
    readonly environment: string,
  ) {}

  /** `acme-api-web-production`; `component` may be empty for environment-wide resources. */
  name(component: string, maxLength: number = NAME_LIMITS.default): string {
    const full = [this.project, component, this.environment].filter((part) => part.length > 0).join("-");
    return fitName(full, maxLength);
  }
}

/** Shortens `name` to `maxLength` by replacing its tail with a 7-character hash of the whole name. */
export function fitName(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 7);
  const head = name.slice(0, maxLength - hash.length - 1).replace(/-+$/, "");
  return `${head}-${hash}`;
}
