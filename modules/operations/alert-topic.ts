import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";

export interface AlertTopicProps {
  /** Topic name; also names the KMS key alias. */
  readonly topicName: string;
  /** The account the alarms live in (the key only serves CloudWatch on its behalf). */
  readonly accountId: string;
  /** AWS partition, e.g. `aws`. */
  readonly partition: string;
  /**
   * E-mail addresses subscribed to the topic (each must confirm once).
   * @default - none
   */
  readonly emails?: readonly string[];
}

/**
 * Where the environment's CloudWatch alarms send notifications: an SNS topic encrypted with a
 * customer-managed KMS key. The AWS-managed `aws/sns` key cannot be used here, because its key
 * policy does not let CloudWatch encrypt what it publishes: alarms would fire into nothing.
 */
export class AlertTopic extends Construct {
  public readonly topicArn: string;
  public readonly topicName: string;
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", {
      statement: [
        {
          sid: "AccountAdministers",
          principals: [{ type: "AWS", identifiers: [`arn:${props.partition}:iam::${props.accountId}:root`] }],
          actions: ["kms:*"],
          resources: ["*"],
        },
        {
          sid: "CloudWatchAlarmsPublish",
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] }],
        },
      ],
    });
    const key = new KmsKey(this, "key", {
      description: `Encrypts the ${props.topicName} alert topic`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy.json,
    });
    new KmsAlias(this, "key-alias", { name: `alias/${props.topicName}`, targetKeyId: key.keyId });

    const topic = new SnsTopic(this, "topic", { name: props.topicName, kmsMasterKeyId: key.arn });
    (props.emails ?? []).forEach((email, index) => {
      new SnsTopicSubscription(this, `email-${index}`, { topicArn: topic.arn, protocol: "email", endpoint: email });
    });

    this.topicArn = topic.arn;
    this.topicName = topic.name;
    this.keyArn = key.arn;
  }
}
