import { runSimulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, test } from "vitest";
import { VpcFlowLogs } from "../../../modules/network/vpc-flow-logs";
import { resourcesOfType, soleResource, synthConstructs, type Synthesized } from "../../support/synth";

const ACCOUNT = "123456789012";
const GROUP_ARN = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/vpc-flow-logs/acme-api-test`;

function synthFlowLogs(): Synthesized {
  return synthConstructs((scope) => {
    new VpcFlowLogs(scope, "flow-logs", { vpcId: "vpc-0123456789abcdef0", name: "acme-api-test", logRetentionDays: 14, accountId: ACCOUNT, partition: "aws", region: "eu-west-1" });
  });
}

/** The role's permissions as IAM JSON, with the log group's ARN filled in as AWS would. */
function deliveryPolicy(json: Synthesized): Record<string, unknown> {
  const document = Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.includes("permissions"))?.[1] as {
    statement: Array<{ sid: string; actions: string[]; resources: string[] }>;
  };
  return {
    Version: "2012-10-17",
    Statement: document.statement.map((statement) => ({
      Sid: statement.sid,
      Effect: "Allow",
      Action: statement.actions,
      Resource: statement.resources.map((resource) => resource.replace(/\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}/, GROUP_ARN)),
    })),
  };
}

describe("VpcFlowLogs", () => {
  const json = synthFlowLogs();

  test("GIVEN the CloudWatch destination WHEN synthesized THEN all traffic goes to an expiring group, created after the role may write it", () => {
    const flowLog = soleResource(json, "aws_flow_log");
    expect(flowLog).toMatchObject({ vpc_id: "vpc-0123456789abcdef0", traffic_type: "ALL", log_destination_type: "cloud-watch-logs", max_aggregation_interval: 600 });
    expect(flowLog.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy\./)]);
    expect(soleResource(json, "aws_cloudwatch_log_group")).toMatchObject({ name: "/aws/vpc-flow-logs/acme-api-test", retention_in_days: 14 });
    expect(soleResource(json, "aws_iam_role").name).toBe("acme-api-test-flow-logs");
  });

  test.each<[string, string, string, "Allowed" | "ImplicitlyDenied"]>([
    ["writes its own group's streams", "logs:PutLogEvents", `${GROUP_ARN}:log-stream:eni-0abc-all`, "Allowed"],
    ["creates streams in its own group", "logs:CreateLogStream", `${GROUP_ARN}:log-stream:eni-0abc-all`, "Allowed"],
    ["finds its group (an action without resource-level permissions)", "logs:DescribeLogGroups", "*", "Allowed"],
    ["cannot write another group", "logs:PutLogEvents", `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/ecs/acme-api-api-test:log-stream:x`, "ImplicitlyDenied"],
    ["cannot delete its group", "logs:DeleteLogGroup", GROUP_ARN, "ImplicitlyDenied"],
    ["cannot create groups", "logs:CreateLogGroup", `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/vpc-flow-logs/other`, "ImplicitlyDenied"],
  ])("GIVEN the delivery role WHEN it %s THEN IAM says %s", async (_case, action, resource, expected) => {
    const response = await runSimulation(
      {
        identityPolicies: [{ name: "deliver-flow-logs", policy: deliveryPolicy(json) }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: {
          principal: `arn:aws:iam::${ACCOUNT}:role/acme-api-test-flow-logs`,
          action,
          resource: { accountId: ACCOUNT, resource },
          contextVariables: {},
        },
      },
      {},
    );
    if (response.resultType === "error") throw new Error(JSON.stringify(response.errors));
    expect(response.overallResult).toBe(expected);
  });

  test("GIVEN the S3 destination WHEN synthesized THEN it delivers to the bucket with no role and no log group", () => {
    const s3 = synthConstructs((scope) => {
      new VpcFlowLogs(scope, "flow-logs", { vpcId: "vpc-0123456789abcdef0", name: "acme-api-test", destination: "s3", bucketArn: "arn:aws:s3:::acme-flow-logs" });
    });
    expect(soleResource(s3, "aws_flow_log")).toMatchObject({ log_destination_type: "s3", log_destination: "arn:aws:s3:::acme-flow-logs" });
    expect(resourcesOfType(s3, "aws_iam_role")).toEqual([]);
    expect(resourcesOfType(s3, "aws_cloudwatch_log_group")).toEqual([]);
  });

  test("GIVEN the S3 destination without a bucket WHEN constructed THEN it says what is missing", () => {
    expect(() => synthConstructs((scope) => new VpcFlowLogs(scope, "flow-logs", { vpcId: "vpc-1", name: "acme-api-test", destination: "s3" }))).toThrow(
      "VpcFlowLogs acme-api-test: bucketArn is required for the s3 destination",
    );
  });
});
