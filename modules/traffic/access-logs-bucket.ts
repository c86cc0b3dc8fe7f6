import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";

/**
 * Regions launched before August 2022, where ALB log delivery writes as a regional ELB account.
 * `data.aws_elb_service_account` knows only these and fails the plan with "unsupported AWS Region"
 * anywhere else; newer regions deliver as the log-delivery service principal.
 */
export const REGIONS_WITH_ELB_ACCOUNT: ReadonlySet<string> = new Set([
  "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
  "ap-southeast-2", "ap-southeast-3", "ca-central-1", "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-north-1",
  "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3", "me-south-1", "sa-east-1", "us-east-1", "us-east-2",
  "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
]);

export interface AccessLogsBucketProps {
  /** Bucket name (globally unique, lowercase). */
  readonly bucketName: string;
  /**
   * Key prefix the load balancer writes under, e.g. the environment name. Logs land in
   * `<prefix>/AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/`, the layout Athena's
   * partition projection expects.
   */
  readonly prefix: string;
  /** Region of the bucket and the load balancer: decides who delivers the logs. */
  readonly region: string;
  /** The account whose load balancer writes the logs (the stack's `data.aws_caller_identity`). */
  readonly accountId: string;
  /** AWS partition of the resources' ARNs, e.g. `aws` (the stack's `data.aws_partition`). */
  readonly partition: string;
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
        },
        {
          // Bucket-wide: parts of an upload that never completed are stored (and billed) until aborted.
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });

    const logObjects = `arn:${props.partition}:s3:::${props.bucketName}/${props.prefix}/AWSLogs/${props.accountId}/*`;
    // Regions launched before August 2022 deliver from a regional ELB account, newer ones as the
    // log-delivery service principal; the service principal is granted everywhere.
    const elbAccountWrites: DataAwsIamPolicyDocumentStatement[] = REGIONS_WITH_ELB_ACCOUNT.has(props.region)
      ? [
          {
            sid: "RegionalElbAccountWrites",
            effect: "Allow",
            principals: [{ type: "AWS", identifiers: [new DataAwsElbServiceAccount(this, "elb-account").arn] }],
            actions: ["s3:PutObject"],
            resources: [logObjects],
          },
        ]
      : [];
    const document = new DataAwsIamPolicyDocument(this, "policy-document", {
      statement: [
        ...elbAccountWrites,
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
