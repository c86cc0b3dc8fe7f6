import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { fitName, NAME_LIMITS } from "../platform/naming";

export interface VpcFlowLogsProps {
  readonly vpcId: string;
  /** Names the log group (`/aws/vpc-flow-logs/<name>`) and the delivery role (`<name>-flow-logs`). */
  readonly name: string;
  /**
   * `cloud-watch-logs`: a log group of its own, written by a role only VPC Flow Logs of this account
   * may assume. `s3`: an existing bucket (`bucketArn`), written by log delivery under the bucket's policy.
   * @default "cloud-watch-logs"
   */
  readonly destination?: "cloud-watch-logs" | "s3";
  /** Required for the `s3` destination: bucket ARN, optionally with a `/prefix`. */
  readonly bucketArn?: string;
  /** @default "ALL" */
  readonly trafficType?: "ALL" | "ACCEPT" | "REJECT";
  /** @default 600 */
  readonly maxAggregationIntervalSeconds?: 60 | 600;
  /**
   * Days the log group keeps flow logs (`cloud-watch-logs`).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /** @default - looked up with `data.aws_caller_identity` */
  readonly accountId?: string;
  /** @default - looked up with `data.aws_partition` */
  readonly partition?: string;
  /** @default - looked up with `data.aws_region` */
  readonly region?: string;
}

/**
 * Flow logs of one VPC: who talked to whom, accepted or rejected, for incident response and
 * for seeing what a security group really refuses. A guardrail refuses a created VPC without them.
 */
export class VpcFlowLogs extends Construct {
  public readonly flowLogId: string;
  /** The log group (`cloud-watch-logs` only). */
  public readonly logGroupName?: string;
  /** The delivery role (`cloud-watch-logs` only). */
  public readonly roleArn?: string;

  constructor(scope: Construct, id: string, props: VpcFlowLogsProps) {
    super(scope, id);
    const destination = props.destination ?? "cloud-watch-logs";
    const common = {
      vpcId: props.vpcId,
      trafficType: props.trafficType ?? "ALL",
      maxAggregationInterval: props.maxAggregationIntervalSeconds ?? 600,
      tags: { Name: props.name },
    };
    if (destination === "s3") {
      if (props.bucketArn === undefined) throw new Error(`VpcFlowLogs ${props.name}: bucketArn is required for the s3 destination`);
      this.flowLogId = new FlowLog(this, "flow-log", { ...common, logDestinationType: "s3", logDestination: props.bucketArn }).id;
      return;
    }

    const accountId = props.accountId ?? new DataAwsCallerIdentity(this, "account").accountId;
    const partition = props.partition ?? new DataAwsPartition(this, "partition").partition;
    const region = props.region ?? new DataAwsRegion(this, "region").region;
    const logGroup = new CloudwatchLogGroup(this, "logs", { name: `/aws/vpc-flow-logs/${props.name}`, retentionInDays: props.logRetentionDays ?? 30 });

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }],
          // Confused-deputy protection: only flow logs of this account may use the role.
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*`] },
          ],
        },
      ],
    });
    const role = new IamRole(this, "role", {
      name: fitName(`${props.name}-flow-logs`, NAME_LIMITS.role),
      description: `VPC Flow Logs delivery into ${logGroup.name}`,
      assumeRolePolicy: trust.json,
    });
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: [
        {
          sid: "WriteOwnLogGroup",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [logGroup.arn, `${logGroup.arn}:*`],
        },
        {
          // Delivery checks the group exists; DescribeLogGroups has no resource-level permissions (an ARN would never match).
          sid: "FindLogGroup",
          actions: ["logs:DescribeLogGroups"],
          resources: ["*"],
        },
      ],
    });
    const policy = new IamRolePolicy(this, "policy", { name: "deliver-flow-logs", role: role.id, policy: permissions.json });
    const flowLog = new FlowLog(this, "flow-log", {
      ...common,
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      // Creation tests delivery with the role, so its permissions must be in place first.
      dependsOn: [policy],
    });
    this.flowLogId = flowLog.id;
    this.logGroupName = logGroup.name;
    this.roleArn = role.arn;
  }
}
