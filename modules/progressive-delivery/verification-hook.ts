import { Construct } from "constructs";
import { LambdaFailureQueue } from "../operations/lambda-failure-queue";
import { NodejsFunction } from "../operations/nodejs-function";

export interface VerificationHookProps {
  readonly functionName: string;
  readonly logRetentionDays: number;
  /** @default "PassThrough" */
  readonly tracingMode?: "PassThrough" | "Active";
  /** Deployments that may verify at the same time: a throttled call fails (and rolls back) the deployment. */
  readonly concurrency: number;
  /** Keeps invocations that failed asynchronously (ECS calls hooks synchronously: it reads the answer). At most 80 characters. */
  readonly failureQueueName: string;
  /**
   * What the failure queue's alarm notifies.
   * @default - nothing
   */
  readonly alarmActions?: readonly string[];
}

/**
 * The shipped lifecycle hook (lambdas/deployment-verification): requests a service through its test listener
 * rule and answers SUCCEEDED, IN_PROGRESS (call again) or FAILED. It needs no AWS permissions: what it checks
 * arrives in each service's hook details, so one function serves every service of the environment.
 */
export class VerificationHook extends Construct {
  public readonly functionArn: string;
  public readonly functionName: string;

  constructor(scope: Construct, id: string, props: VerificationHookProps) {
    super(scope, id);
    const fn = new NodejsFunction(this, "function", {
      functionName: props.functionName,
      entry: "lambdas/deployment-verification/handler.ts",
      description: "ECS deployment lifecycle hook: checks the new revision through the service's test listener rule",
      // One request of at most 10 s per call; the waiting happens between calls.
      timeoutSeconds: 20,
      memorySize: 128,
      reservedConcurrency: props.concurrency,
      tracingMode: props.tracingMode,
      logRetentionDays: props.logRetentionDays,
    });
    new LambdaFailureQueue(this, "failures", {
      functionName: fn.functionName,
      roleName: fn.roleName,
      queueName: props.failureQueueName,
      alarmName: `${props.failureQueueName}-not-empty`,
      alarmDescription: `An asynchronous call of ${props.functionName} failed: the event is in ${props.failureQueueName}, see the function's log group`,
      alarmActions: props.alarmActions,
      // A deployment's next call is the retry; a replayed old check would decide nothing.
      maximumRetryAttempts: 0,
    });
    this.functionArn = fn.functionArn;
    this.functionName = fn.functionName;
  }
}
