import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { LambdaFailureQueue } from "./lambda-failure-queue";
import { fitName, NAME_LIMITS } from "../platform/naming";
import { NodejsFunction } from "./nodejs-function";
import { scheduleFunction } from "./function-schedule";

/** Where the public ECS-optimized Amazon Linux 2023 parameters live (x86_64 directly below, arm64 under `arm64/`). */
export const ECS_AMI_PARAMETER_PREFIX = "/aws/service/ecs/optimized-ami/amazon-linux-2023";

/** One group of container instances launched from one launch template by one Auto Scaling group. */
export interface AmiWatchPool {
  /** Pool name shown in the notification, e.g. `on-demand`. */
  readonly name: string;
  /** Launch template whose latest version is compared with the recommended AMI. */
  readonly launchTemplateId: string;
  /** The Auto Scaling group launching from it. */
  readonly asgName: string;
  /** ARN of that group: the only kind of resource an automatic instance refresh may be started on. */
  readonly asgArn: string;
  readonly architecture: "x86_64" | "arm64";
  /**
   * The AMI the pool is pinned to: the watcher reports newer AMIs but never refreshes the pool.
   * @default - not pinned
   */
  readonly pinnedAmiId?: string;
}

export interface AmiWatchProps {
  /** Name of the function, its role and its log group; at most 64 characters. */
  readonly functionName: string;
  /** Name of the schedule rule; at most 64 characters. */
  readonly ruleName: string;
  /** Name of the SNS topic notifications go to. */
  readonly topicName: string;
  /** Environment named in the notification. */
  readonly environment: string;
  /** Stack the notification tells to deploy (`cdktf deploy <stack>`). */
  readonly stackName: string;
  /** Region of the SSM parameters read. */
  readonly region: string;
  /** AWS partition of the resources' ARNs, e.g. `aws` (the stack's `data.aws_partition`). */
  readonly partition: string;
  /** EventBridge schedule expression, e.g. `rate(1 day)`. */
  readonly schedule: string;
  /** The pools to check; at least one. */
  readonly pools: AmiWatchPool[];
  /**
   * E-mail addresses subscribed to the topic (each must confirm the subscription).
   * @default - none
   */
  readonly emails?: string[];
  /**
   * Start an instance refresh on unpinned pools when their instances run an older AMI than the
   * recommended one. Only useful when their launch templates resolve the AMI from SSM at launch
   * (`image_id = "resolve:ssm:..."`): a template naming the AMI would relaunch the old one.
   * @default false
   */
  readonly autoRefresh?: boolean;
  /**
   * Minimum healthy percentage of the refreshes it starts.
   * @default 90
   */
  readonly minHealthyPercentage?: number;
  /**
   * Instance warm-up of the refreshes it starts.
   * @default - the Auto Scaling group's default instance warm-up
   */
  readonly instanceWarmupSeconds?: number;
  /** Days the function's log group keeps logs. */
  readonly logRetentionDays: number;
  /**
   * Concurrency reserved for the function: one check at a time is all a daily schedule needs.
   * @default 1
   */
  readonly reservedConcurrency?: number;
  /** @default "PassThrough" */
  readonly tracingMode?: "PassThrough" | "Active";
  /**
   * Keeps scheduled checks that failed after Lambda's retries (at most 80 characters).
   * @default - `<functionName>-failures`
   */
  readonly failureQueueName?: string;
  /**
   * Notified when a check failed for good (SNS topic ARNs).
   * @default - none
   */
  readonly alarmActions?: readonly string[];
}

/**
 * Checks on a schedule whether the container instances run the recommended ECS-optimized AMI and
 * mails which environment is behind, the old and new AMIs and the command to roll
 * (lambdas/ami-watch).
 *
 * Following versus pinning the AMI:
 * - By default the launch templates take the AMI id from the public SSM parameter at plan time, so
 *   `cdktf deploy` writes a new template version and the ASG's instance refresh rolls the
 *   instances. The watcher says when that deploy is due.
 * - With `autoRefresh` the templates instead say `resolve:ssm:<parameter>`: EC2 resolves the
 *   parameter at every launch and the watcher starts the instance refresh itself. Instances then
 *   move to a new AMI without any plan or deploy, and so may any instance launched by scale-out or
 *   Spot replacement: less toil, but what runs is no longer exactly what the last plan showed.
 * - A pinned AMI is fully reproducible; the watcher keeps reporting newer AMIs so that the pin is
 *   moved deliberately, and never refreshes a pinned pool.
 */
export class AmiWatch extends Construct {
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly roleName: string;
  public readonly logGroupName: string;
  public readonly ruleArn: string;
  public readonly topicArn: string;
  /** The environment the watch reports on: the `Environment` dimension of its metrics (lambdas/ami-watch/metrics.ts). */
  public readonly environment: string;
  /** Bytes of the deployed zip. */
  public readonly bundleBytes: number;

  constructor(scope: Construct, id: string, props: AmiWatchProps) {
    super(scope, id);
    if (props.pools.length === 0) throw new Error("AmiWatch: pools must list at least one pool");
    const autoRefresh = props.autoRefresh ?? false;

    // The AWS managed key: the function publishes with its role, which that key's policy allows.
    const topic = new SnsTopic(this, "topic", { name: props.topicName, kmsMasterKeyId: "alias/aws/sns" });
    (props.emails ?? []).forEach((email, index) => {
      new SnsTopicSubscription(this, `email-${index}`, { topicArn: topic.arn, protocol: "email", endpoint: email });
    });

    const refreshable = props.pools.filter((pool) => pool.pinnedAmiId === undefined);
    const refreshStatements: DataAwsIamPolicyDocumentStatement[] =
      autoRefresh && refreshable.length > 0
        ? [{ sid: "RefreshOwnGroups", actions: ["autoscaling:StartInstanceRefresh"], resources: refreshable.map((pool) => pool.asgArn) }]
        : [];

    const fn = new NodejsFunction(this, "function", {
      functionName: props.functionName,
      entry: "lambdas/ami-watch/handler.ts",
      description: "Reports (and optionally rolls) container instances behind the recommended ECS-optimized AMI",
      timeoutSeconds: 60,
      logRetentionDays: props.logRetentionDays,
      reservedConcurrency: props.reservedConcurrency ?? 1,
      tracingMode: props.tracingMode,
      environment: {
        ENVIRONMENT: props.environment,
        STACK_NAME: props.stackName,
        TOPIC_ARN: topic.arn,
        // Ids and names are Terraform references, so Terraform renders the JSON.
        POOLS: Fn.jsonencode(
          props.pools.map((pool) => ({
            name: pool.name,
            launchTemplateId: pool.launchTemplateId,
            asgName: pool.asgName,
            architecture: pool.architecture,
            ...(pool.pinnedAmiId !== undefined && { pinnedAmiId: pool.pinnedAmiId }),
          })),
        ),
        AUTO_REFRESH: String(autoRefresh),
        MIN_HEALTHY_PERCENTAGE: String(props.minHealthyPercentage ?? 90),
        ...(props.instanceWarmupSeconds !== undefined && { INSTANCE_WARMUP_SECONDS: String(props.instanceWarmupSeconds) }),
      },
      policyStatements: [
        {
          sid: "ReadRecommendedAmis",
          actions: ["ssm:GetParameter"],
          // Public parameters have an empty account field.
          resources: [`arn:${props.partition}:ssm:${props.region}::parameter${ECS_AMI_PARAMETER_PREFIX}/*`],
        },
        {
          // None of these support resource-level permissions.
          sid: "ReadCurrentAmis",
          actions: ["ec2:DescribeLaunchTemplateVersions", "ec2:DescribeImages", "ec2:DescribeInstances", "autoscaling:DescribeAutoScalingGroups"],
          resources: ["*"],
        },
        { sid: "Notify", actions: ["sns:Publish"], resources: [topic.arn] },
        ...refreshStatements,
      ],
    });

    const failureQueueName = props.failureQueueName ?? fitName(`${props.functionName}-failures`, NAME_LIMITS.sqsQueue);
    new LambdaFailureQueue(this, "failures", {
      functionName: fn.functionName,
      roleName: fn.roleName,
      queueName: failureQueueName,
      alarmName: `${failureQueueName}-not-empty`,
      alarmDescription: `The AMI check of ${props.environment} failed: the event is in ${failureQueueName}, see the function's log group`,
      alarmActions: props.alarmActions,
      // A run that could not check a pool fails (lambdas/ami-watch/handler.ts). The next scheduled run is the
      // retry: Lambda's own async retries would only mail the same findings again.
      maximumRetryAttempts: 0,
    });

    const rule = scheduleFunction(this, fn, {
      ruleName: props.ruleName,
      description: `Checks ${props.environment} for newer ECS-optimized AMIs`,
      scheduleExpression: props.schedule,
    });

    // Each failed run, at once; it stays in alarm until a run succeeds (the queue keeps the failed events).
    new CloudwatchMetricAlarm(this, "errors-alarm", {
      alarmName: `${props.functionName}-errors`,
      alarmDescription: `The AMI watch ${props.functionName} could not check every pool of ${props.environment} (permissions, parameter, launch template): see its log group`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: fn.functionName },
      statistic: "Sum",
      // Daily by default: one failed run is enough, and it stays in alarm until a run succeeds.
      period: 3600,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "ignore",
      alarmActions: props.alarmActions ? [...props.alarmActions] : undefined,
      okActions: props.alarmActions ? [...props.alarmActions] : undefined,
    });

    this.functionName = fn.functionName;
    this.environment = props.environment;
    this.functionArn = fn.functionArn;
    this.roleName = fn.roleName;
    this.logGroupName = fn.logGroupName;
    this.ruleArn = rule.arn;
    this.topicArn = topic.arn;
    this.bundleBytes = fn.bundleBytes;
  }
}
