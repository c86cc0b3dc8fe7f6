import { Annotations, IAspect, Lazy, TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";

export interface LogEncryptionKeyProps {
  /** Alias of the key, without `alias/`. */
  readonly aliasName: string;
  /** Region of the log groups: only CloudWatch Logs of this region may use the key. */
  readonly region: string;
  readonly accountId: string;
  /** AWS partition, e.g. `aws`. */
  readonly partition: string;
  /**
   * The construct whose log groups may use the key: every `aws_cloudwatch_log_group` below it at
   * synth time, by name, including those added after the key.
   * @default - the whole stack
   */
  readonly logGroupsOf?: IConstruct;
}

/**
 * A rotating customer-managed KMS key for CloudWatch Logs. Its policy lets the account administer
 * it through IAM and lets CloudWatch Logs of this region use it only for the named log groups
 * (`kms:EncryptionContext:aws:logs:arn`), so no other log group, and no other service, can encrypt
 * or decrypt with it.
 */
export class LogEncryptionKey extends Construct {
  public readonly keyArn: string;
  public readonly keyId: string;

  constructor(scope: Construct, id: string, props: LogEncryptionKeyProps) {
    super(scope, id);
    const owner = props.logGroupsOf ?? TerraformStack.of(this);
    const logGroupArns = Lazy.listValue({
      produce: () =>
        logGroupNames(owner).map((name) => `arn:${props.partition}:logs:${props.region}:${props.accountId}:log-group:${name}`),
    });
    const policy = new DataAwsIamPolicyDocument(this, "key-policy", {
      statement: [
        {
          // Without it nobody could ever change or delete the key; IAM policies decide who may.
          sid: "AccountAdministers",
          principals: [{ type: "AWS", identifiers: [`arn:${props.partition}:iam::${props.accountId}:root`] }],
          actions: ["kms:*"],
          resources: ["*"],
        },
        {
          sid: "CloudWatchLogsUseForTheseLogGroups",
          principals: [{ type: "Service", identifiers: [`logs.${props.region}.amazonaws.com`] }],
          actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          resources: ["*"],
          condition: [{ test: "ArnLike", variable: "kms:EncryptionContext:aws:logs:arn", values: logGroupArns }],
        },
      ],
    });
    const key = new KmsKey(this, "key", {
      description: `Encrypts the CloudWatch log groups of ${props.aliasName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policy.json,
    });
    new KmsAlias(this, "alias", { name: `alias/${props.aliasName}`, targetKeyId: key.keyId });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
  }
}

/** The literal names of every log group below `scope`; a group without one cannot be named in a key policy. */
export function logGroupNames(scope: IConstruct): string[] {
  return scope.node
    .findAll()
    .filter((node): node is CloudwatchLogGroup => node instanceof CloudwatchLogGroup)
    .map((group) => {
      const name = group.nameInput;
      if (typeof name !== "string" || name.includes("${")) {
        throw new Error(`[${group.node.path}] log group needs a literal name to be covered by the logs KMS key policy`);
      }
      return name;
    })
    .sort();
}

/**
 * Puts every log group of the stack under one KMS key and refuses synthesis when one ends up
 * without it (an override, an escape hatch or another key): the guardrail for `logs.kmsKey`.
 */
export class EncryptLogGroups implements IAspect {
  constructor(private readonly keyArn: string) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CloudwatchLogGroup)) return;
    if (node.kmsKeyIdInput === undefined) node.kmsKeyId = this.keyArn;
    const synthesized = node.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
    const keyId = synthesized.resource?.aws_cloudwatch_log_group?.[node.friendlyUniqueId]?.kms_key_id;
    if (keyId !== this.keyArn) {
      Annotations.of(node).addError(`log groups must be encrypted with the environment's logs key: kms_key_id is ${String(keyId ?? "not set")}`);
    }
  }
}
