import { describe, expect, test } from "vitest";
import type { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AccessLogsBucket } from "../../../modules/traffic/access-logs-bucket";
import { statementsOf } from "../../support/references";
import { dataSourcesOfType, soleResource, synthConstructs } from "../../support/synth";

/** The account and partition as the stack passes them: its own data sources. */
const lookups = (scope: Construct) => ({
  accountId: new DataAwsCallerIdentity(scope, "account").accountId,
  partition: new DataAwsPartition(scope, "partition").partition,
});

describe("AccessLogsBucket", () => {
  const json = synthConstructs((scope) => new AccessLogsBucket(scope, "logs", { ...lookups(scope), bucketName: "acme-api-alb-logs-test", prefix: "test", region: "eu-west-1", expirationDays: 45 }));

  test("is private, owner-enforced and SSE-S3 encrypted (ALB log delivery cannot use KMS)", () => {
    expect(soleResource(json, "aws_s3_bucket")).toMatchObject({ bucket: "acme-api-alb-logs-test", force_destroy: false });
    expect(soleResource(json, "aws_s3_bucket_ownership_controls").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
    expect(soleResource(json, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(soleResource(json, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
  });

  test("expires the environment's logs after the configured days", () => {
    const [rule] = soleResource(json, "aws_s3_bucket_lifecycle_configuration").rule;
    expect(rule).toMatchObject({ status: "Enabled", filter: [{ prefix: "test/" }], expiration: [{ days: 45 }] });
  });

  test("GIVEN the bucket WHEN synthesized THEN incomplete multipart uploads anywhere in it are aborted after a day", () => {
    const rules = soleResource(json, "aws_s3_bucket_lifecycle_configuration").rule as Array<Record<string, unknown>>;
    const abort = rules.filter((rule) => rule.abort_incomplete_multipart_upload !== undefined);
    expect(abort).toEqual([
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: [{ prefix: "" }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
      },
    ]);
  });

  test("lets the regional ELB account and the log-delivery service write only under prefix/AWSLogs/account", () => {
    // GIVEN the bucket policy's document
    const statements = statementsOf(json, soleResource(json, "aws_s3_bucket_policy").policy);
    const elbAccount = Object.keys(json.data?.aws_elb_service_account ?? {})[0];
    const logObjects = expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:s3:::acme-api-alb-logs-test\/test\/AWSLogs\/\$\{data\.aws_caller_identity\.[^}]+\.account_id\}\/\*$/);

    // THEN
    expect(statements.RegionalElbAccountWrites).toMatchObject({
      effect: "Allow",
      actions: ["s3:PutObject"],
      principals: [{ type: "AWS", identifiers: [`\${data.aws_elb_service_account.${elbAccount}.arn}`] }],
      resources: [logObjects],
    });
    expect(statements.LogDeliveryServiceWrites).toMatchObject({
      effect: "Allow",
      actions: ["s3:PutObject"],
      principals: [{ type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] }],
      resources: [logObjects],
    });
    expect(dataSourcesOfType(json, "aws_elb_service_account")).toHaveLength(1);
  });

  test.each(["eu-central-2", "ap-southeast-5", "ca-west-1", "il-central-1", "mx-central-1"])(
    "in %s, launched without a regional ELB account, lets only the log-delivery service write",
    (region) => {
      // GIVEN a bucket in a region data.aws_elb_service_account refuses ("unsupported AWS Region")
      const newer = synthConstructs((scope) => new AccessLogsBucket(scope, "logs", { ...lookups(scope), bucketName: "acme-api-alb-logs-test", prefix: "test", region, expirationDays: 45 }));

      // THEN the plan does not read that data source, and the service principal may still write
      expect(dataSourcesOfType(newer, "aws_elb_service_account")).toHaveLength(0);
      const statements = statementsOf(newer, soleResource(newer, "aws_s3_bucket_policy").policy);
      expect(Object.keys(statements).sort()).toEqual(["DenyInsecureTransport", "LogDeliveryServiceWrites"]);
      expect(statements.LogDeliveryServiceWrites.principals).toEqual([{ type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] }]);
    },
  );

  test("refuses requests without TLS", () => {
    const statements = statementsOf(json, soleResource(json, "aws_s3_bucket_policy").policy);
    expect(statements.DenyInsecureTransport).toMatchObject({
      effect: "Deny",
      actions: ["s3:*"],
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
    expect(statements.DenyInsecureTransport.resources).toHaveLength(2);
  });
});
