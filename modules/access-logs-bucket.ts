import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";

export interface AccessLogsBucketProps {
  /** Bucket name (globally unique, lowercase). */
  readonly bucketName: string;
  /**
   * Key prefix the load balancer writes under, e.g. the environment name. Logs land in
   * `<prefix>/AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/`, the layout Athena's
   * partition projection expects.
   */
  readonly prefix: string;
  /** Days after which log objects are deleted. */
  readonly expirationDays: number;
  /**
   * Let `terraform destroy` delete a bucket that still holds logs.
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * The S3 bucket an Application Load Balancer writes its access logs to: private, SSE-S3 encrypted
 * (ALB log delivery cannot use KMS keys), owner-enforced, TLS-only, expiring, and writable only by
 * ELB log delivery under this environment's prefix.
 */
export class AccessLogsBucket extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly prefix: string;
  /** The bucket policy: a load balancer must wait for it, because AWS tests write access when logging is turned on. */
  public readonly policy: ITerraformDependable;

  constructor(scope: Construct, id: string, props: AccessLogsBucketProps) {
    super(scope, id);
    const bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName, forceDestroy: props.forceDestroy ?? false });
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.prefix = props.prefix;

    new S3BucketOwnershipControls(this, "ownership", {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: [{ prefix: `${props.prefix}/` }],
          expiration: [{ days: props.expirationDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });

    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    // Regions launched before August 2022 deliver from a regional ELB account; newer ones use the
    // log-delivery service principal. Granting both keeps the bucket correct in any region.
    const elbAccount = new DataAwsElbServiceAccount(this, "elb-account");
    const logObjects = `arn:${partition.partition}:s3:::${props.bucketName}/${props.prefix}/AWSLogs/${account.accountId}/*`;
    const document = new DataAwsIamPolicyDocument(this, "policy-document", {
      statement: [
        {
          sid: "RegionalElbAccountWrites",
          effect: "Allow",
          principals: [{ type: "AWS", identifiers: [elbAccount.arn] }],
          actions: ["s3:PutObject"],
          resources: [logObjects],
        },
        {
          sid: "LogDeliveryServiceWrites",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] }],
          actions: ["s3:PutObject"],
          resources: [logObjects],
        },
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [bucket.arn, `${bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    this.policy = new S3BucketPolicy(this, "policy", { bucket: bucket.id, policy: document.json });
  }
}
