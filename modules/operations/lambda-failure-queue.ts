import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { denyInsecureTransport } from "../platform/tls-only";
import { failureAlarm } from "../platform/failure-alarm";

export interface LambdaFailureQueueProps {
  /** The function whose failed asynchronous invocations are kept. */
  readonly functionName: string;
  /** Its execution role: Lambda sends the failed event with the function's role. */
  readonly roleName: string;
  /** At most 80 characters. */
  readonly queueName: string;
  /** Alarm on a non-empty queue. */
  readonly alarmName: string;
  readonly alarmDescription: string;
  /**
   * Notified when an invocation failed for good (SNS topic ARNs).
   * @default - none
   */
  readonly alarmActions?: readonly string[];
  /**
   * Lambda's own retries of a failed asynchronous invocation (0-2).
   * @default 2
   */
  readonly maximumRetryAttempts?: number;
  /**
   * How old an event may get (queued, retried) before it is given up (60-21600).
   * @default 21600
   */
  readonly maximumEventAgeSeconds?: number;
}

/**
 * Where a function's asynchronous invocations go when they failed after Lambda's retries: an
 * encrypted, TLS-only SQS queue (the invoke config's on-failure destination), with an alarm as soon
 * as one lands there. Without it, Lambda drops such an event silently.
 */
export class LambdaFailureQueue extends Construct {
  public readonly queueArn: string;
  public readonly queueUrl: string;
  public readonly alarmArn: string;

  constructor(scope: Construct, id: string, props: LambdaFailureQueueProps) {
    super(scope, id);
    const queue = new SqsQueue(this, "queue", { name: props.queueName, sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 });
    new SqsQueuePolicy(this, "queue-policy", {
      queueUrl: queue.url,
      policy: new DataAwsIamPolicyDocument(this, "queue-policy-document", { statement: [denyInsecureTransport("sqs:*", [queue.arn])] }).json,
    });
    // Lambda checks the destination permission when the invoke config is saved, so the config waits for this policy.
    const send = new IamRolePolicy(this, "send-policy", {
      name: `${props.functionName}-failures`,
      role: props.roleName,
      policy: new DataAwsIamPolicyDocument(this, "send-policy-document", {
        statement: [{ sid: "RecordFailedEvents", actions: ["sqs:SendMessage"], resources: [queue.arn] }],
      }).json,
    });
    new LambdaFunctionEventInvokeConfig(this, "invoke-config", {
      functionName: props.functionName,
      maximumRetryAttempts: props.maximumRetryAttempts ?? 2,
      maximumEventAgeInSeconds: props.maximumEventAgeSeconds ?? 21600,
      destinationConfig: { onFailure: { destination: queue.arn } },
      dependsOn: [send],
    });
    const alarm = failureAlarm(this, "alarm", {
      alarmName: props.alarmName,
      alarmDescription: props.alarmDescription,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: queue.name },
      statistic: "Maximum",
      alarmActions: props.alarmActions ?? [],
    });
    this.queueArn = queue.arn;
    this.queueUrl = queue.url;
    this.alarmArn = alarm.arn;
  }
}
