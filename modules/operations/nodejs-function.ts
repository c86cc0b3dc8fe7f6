import * as fs from "node:fs";
import * as path from "node:path";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { bundleLambda } from "./lambda-bundle";

export interface NodejsFunctionProps {
  /** Function name (also names its role and log group); at most 64 characters. */
  readonly functionName: string;
  /** The TypeScript file exporting `handler`: absolute, or relative to the project root (where cdktf.json is). */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /**
   * Environment variables.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * IAM statements the function needs besides writing its own logs.
   * @default - none
   */
  readonly policyStatements?: DataAwsIamPolicyDocumentStatement[];
  /**
   * Timeout in seconds.
   * @default 30
   */
  readonly timeoutSeconds?: number;
  /**
   * Memory in MiB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Concurrency reserved for (and capping) the function.
   * @default 1
   */
  readonly reservedConcurrency?: number;
  /**
   * X-Ray tracing: `PassThrough` traces only requests that arrive sampled, `Active` samples itself
   * (and the role gets the X-Ray write permissions).
   * @default "PassThrough"
   */
  readonly tracingMode?: "PassThrough" | "Active";
  /** Days its log group keeps logs. */
  readonly logRetentionDays: number;
  /**
   * Where bundles are cached between synths.
   * @default - `.build/lambdas` in the project root
   */
  readonly cacheDir?: string;
}

/**
 * A Node.js 22 arm64 Lambda function from a TypeScript handler, bundled with esbuild while the
 * stack is synthesized (no separate build step to forget) into a TerraformAsset inside the stack's
 * output directory, so local deploys and Terraform Cloud remote runs ship the same zip.
 * `source_code_hash` is the hash of the bundled code: it changes only when the code does.
 */
export class NodejsFunction extends Construct {
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly roleArn: string;
  public readonly roleName: string;
  public readonly logGroupName: string;
  /** Bytes of the deployed zip. */
  public readonly bundleBytes: number;

  constructor(scope: Construct, id: string, props: NodejsFunctionProps) {
    super(scope, id);
    const root = projectRoot();
    const bundle = bundleLambda(path.resolve(root, props.entry), props.cacheDir ?? path.join(root, ".build", "lambdas"));
    const tracingMode = props.tracingMode ?? "PassThrough";
    const asset = new TerraformAsset(this, "code", { path: bundle.zipPath, type: AssetType.FILE, assetHash: bundle.codeHash });

    // Created up front with a retention, so Lambda never creates a never-expiring group itself.
    const logGroup = new CloudwatchLogGroup(this, "logs", { name: `/aws/lambda/${props.functionName}`, retentionInDays: props.logRetentionDays });

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }],
    });
    const role = new IamRole(this, "role", { name: props.functionName, assumeRolePolicy: trust.json });
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: [
        { sid: "OwnLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroup.arn}:*`] },
        ...(tracingMode === "Active"
          ? [{ sid: "WriteTraces", actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] }]
          : []),
        ...(props.policyStatements ?? []),
      ],
    });
    new IamRolePolicy(this, "policy", { name: props.functionName, role: role.id, policy: permissions.json });

    const fn = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: props.description,
      role: role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: asset.assetHash,
      timeout: props.timeoutSeconds ?? 30,
      memorySize: props.memorySize ?? 256,
      reservedConcurrentExecutions: props.reservedConcurrency ?? 1,
      tracingConfig: { mode: tracingMode },
      environment: props.environment ? { variables: props.environment } : undefined,
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      dependsOn: [logGroup],
    });

    this.functionName = fn.functionName;
    this.functionArn = fn.arn;
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.logGroupName = logGroup.name;
    this.bundleBytes = bundle.zipBytes;
  }
}

/** The directory holding cdktf.json, found upwards from this file (works from sources and from the synth bundle). */
function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "cdktf.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no cdktf.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
