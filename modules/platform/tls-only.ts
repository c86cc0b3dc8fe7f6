import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * A resource-policy statement refusing every request that does not come over TLS, for buckets,
 * queues and topics (`actions` e.g. `sqs:*`).
 */
export function denyInsecureTransport(actions: string, resources: string[]): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    principals: [{ type: "*", identifiers: ["*"] }],
    actions: [actions],
    resources,
    condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
  };
}

/** The same statement in IAM's JSON form, for policies written as JSON rather than a policy document. */
export function denyInsecureTransportJson(action: string, resource: string): Record<string, unknown> {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
