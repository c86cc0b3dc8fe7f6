/**
 * The verification hook's decision: request the service through its test rule until it answers an expected
 * status, then SUCCEEDED; after the last attempt FAILED (ECS rolls the deployment back). One request per call:
 * waiting happens between calls (IN_PROGRESS with a callback delay), so no call nears Lambda's or ECS's limits.
 */
import type { LifecycleHookEvent, LifecycleHookResult } from "./contract";

/** What the hook checks, from the service definition's hook details (set by the platform). */
export interface CheckSettings {
  /** Where requests go: the load balancer's DNS name. */
  readonly loadBalancerDnsName: string;
  /** Host header and TLS server name: a host the service's rule matches. */
  readonly host: string;
  readonly path: string;
  readonly https: boolean;
  /** @default - 443 with https, else 80 */
  readonly port?: number;
  /** The test rule's header and value, which select the new revision. */
  readonly header: string;
  readonly value: string;
  /** HTTP codes that pass, ALB matcher syntax: `200`, `200-399`, `200,204`. */
  readonly expectedStatus: string;
  readonly attempts: number;
  readonly intervalSeconds: number;
}

/** One request's outcome: the status code, or why there was none. */
export type ProbeResult = { readonly status: number } | { readonly error: string };
export type Probe = (settings: CheckSettings) => Promise<ProbeResult>;

/** The settings in `hookDetails`, or a list of what is missing or malformed. */
export function readSettings(details: Record<string, unknown> | undefined): CheckSettings | string[] {
  const d = details ?? {};
  const problems: string[] = [];
  const text = (key: string): string => {
    const value = d[key];
    if (typeof value !== "string" || value === "") problems.push(`${key} must be a non-empty string`);
    return String(value);
  };
  const count = (key: string): number => {
    const value = d[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) problems.push(`${key} must be a positive integer`);
    return Number(value);
  };
  const settings: CheckSettings = {
    loadBalancerDnsName: text("loadBalancerDnsName"),
    host: text("host"),
    path: text("path"),
    https: d.https === true,
    header: text("header"),
    value: text("value"),
    expectedStatus: text("expectedStatus"),
    attempts: count("attempts"),
    intervalSeconds: count("intervalSeconds"),
    ...(d.port !== undefined && { port: count("port") }),
  };
  if (problems.length === 0 && !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(settings.expectedStatus)) problems.push("expectedStatus must be HTTP codes such as 200 or 200-399");
  return problems.length > 0 ? problems : settings;
}

/** Whether `status` is one of the ALB-style matcher's codes. */
export function statusMatches(matcher: string, status: number): boolean {
  return matcher.split(",").some((part) => {
    const [from, to = from] = part.split("-").map(Number);
    return status >= from && status <= to;
  });
}

/**
 * Whether the call belongs to a rollback: ECS runs the traffic-shift stages again with the weights pointing
 * back to the old revision, so the new revision gets no test traffic. A check then would only delay the rollback.
 */
export function isRollback(event: LifecycleHookEvent): boolean {
  const target = event.executionDetails?.targetServiceRevisionArn;
  const weights = event.executionDetails?.testTrafficWeights;
  return target !== undefined && weights !== undefined && target in weights && weights[target] === 0;
}

/** The attempt this call makes: one more than the previous call of the hook returned. */
function attemptOf(details: Record<string, unknown> | undefined): number {
  const previous = details?.attempt;
  return typeof previous === "number" && Number.isInteger(previous) && previous > 0 ? previous + 1 : 1;
}

export interface Decision {
  readonly result: LifecycleHookResult;
  /** What happened, for the log line. */
  readonly outcome: "passed" | "retrying" | "failed" | "misconfigured" | "rollback";
  readonly attempt?: number;
  readonly probe?: ProbeResult;
  readonly problems?: string[];
}

export async function decide(event: LifecycleHookEvent, probe: Probe): Promise<Decision> {
  if (isRollback(event)) return { result: { hookStatus: "SUCCEEDED" }, outcome: "rollback" };
  const settings = readSettings(event.hookDetails);
  // A hook that cannot check must not let an unchecked revision through.
  if (Array.isArray(settings)) return { result: { hookStatus: "FAILED" }, outcome: "misconfigured", problems: settings };
  const attempt = attemptOf(event.hookDetails);
  const outcome = await probe(settings);
  if ("status" in outcome && statusMatches(settings.expectedStatus, outcome.status)) {
    return { result: { hookStatus: "SUCCEEDED" }, outcome: "passed", attempt, probe: outcome };
  }
  if (attempt >= settings.attempts) return { result: { hookStatus: "FAILED" }, outcome: "failed", attempt, probe: outcome };
  return {
    result: { hookStatus: "IN_PROGRESS", callBackDelay: settings.intervalSeconds, hookDetails: { attempt } },
    outcome: "retrying",
    attempt,
    probe: outcome,
  };
}
