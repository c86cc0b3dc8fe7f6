import type { Construct } from "constructs";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { denyInsecureTransportJson } from "../platform/tls-only";

/** SQS's longest retention: whoever reads what an event queue kept has two weeks to get to it. */
const FOURTEEN_DAYS_SECONDS = 14 * 24 * 60 * 60;

export interface EventTargetQueueProps {
  readonly queueName: string;
  /** Statement id of the EventBridge grant, e.g. `FailedRunEvents`. */
  readonly sid: string;
  /** The rule ARN(s) that may send: EventBridge acting for any other rule is refused. */
  readonly sourceRuleArns: string | readonly string[];
}

/**
 * An encrypted queue (SQS-managed keys, which EventBridge may use without a key policy) that only the
 * named EventBridge rules may send to, over TLS only. Built as `queue` and `policy` in `scope`.
 */
export function eventTargetQueue(scope: Construct, props: EventTargetQueueProps): SqsQueue {
  const queue = new SqsQueue(scope, "queue", { name: props.queueName, sqsManagedSseEnabled: true, messageRetentionSeconds: FOURTEEN_DAYS_SECONDS });
  new SqsQueuePolicy(scope, "policy", {
    queueUrl: queue.url,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: props.sid,
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: queue.arn,
          Condition: { ArnEquals: { "aws:SourceArn": typeof props.sourceRuleArns === "string" ? props.sourceRuleArns : [...props.sourceRuleArns] } },
        },
        denyInsecureTransportJson("sqs:*", queue.arn),
      ],
    }),
  });
  return queue;
}
