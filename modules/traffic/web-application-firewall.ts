import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Wafv2WebAcl, type Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";

/** What WAF requires of a log destination's name (log group, bucket or Firehose stream). */
export const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

/** Request headers kept out of WAF logs: credentials and session tokens. */
export const REDACTED_HEADERS = ["authorization", "cookie"] as const;

/** The AWS managed rule groups a created web ACL runs, in evaluation order (WCU: 700 + 200 + 25). */
export const MANAGED_RULE_GROUPS = [
  // Requests from IPs Amazon threat intelligence lists as bots and attackers: cheapest, so first.
  "AWSManagedRulesAmazonIpReputationList",
  // OWASP-style common exploits (XSS, LFI, bad bots, oversized parts).
  "AWSManagedRulesCommonRuleSet",
  // Request patterns known to be invalid or exploit attempts (e.g. Log4j, Java deserialization).
  "AWSManagedRulesKnownBadInputsRuleSet",
] as const;

/**
 * Rules of a managed group that only count: the common rule set's SizeRestrictions_BODY blocks every
 * request body over 8 KB, which an API's uploads and batch calls exceed, with a 403 that no target and
 * so no 5xx alarm ever sees.
 */
export const COUNTED_MANAGED_RULES: Readonly<Partial<Record<(typeof MANAGED_RULE_GROUPS)[number], readonly string[]>>> = {
  AWSManagedRulesCommonRuleSet: ["SizeRestrictions_BODY"],
};

const ruleActionOverrides = (group: (typeof MANAGED_RULE_GROUPS)[number]) => {
  const counted = COUNTED_MANAGED_RULES[group] ?? [];
  return counted.length === 0 ? {} : { rule_action_override: counted.map((name) => ({ name, action_to_use: { count: {} } })) };
};

export interface WebApplicationFirewallProps {
  /** The regional resource to protect, e.g. the load balancer's ARN. */
  readonly resourceArn: string;
  /**
   * Associate this existing regional web ACL instead of creating one.
   * @default - a web ACL is created
   */
  readonly webAclArn?: string;
  /** Name of the created web ACL and prefix of its metric names. Required unless `webAclArn` is given. */
  readonly name?: string;
  /**
   * Requests one client IP may send in any 5 minutes before the rate rule blocks it.
   * @default 2000
   */
  readonly rateLimitPerFiveMinutes?: number;
  /**
   * `count` lets the managed rule groups only count their matches (to try them on real traffic first).
   * @default "block"
   */
  readonly managedRulesAction?: "block" | "count";
  /**
   * Log every request the created web ACL sees (its action and the rules that matched) to a log
   * group `aws-waf-logs-<name>`, with {@link REDACTED_HEADERS} left out. Not with `webAclArn`: an
   * ACL has one logging configuration, and an existing one's belongs to its owner.
   * @default - no logging
   */
  readonly logging?: { readonly retentionDays: number };
}

/**
 * AWS WAF in front of a regional resource: an existing web ACL, or one created with the AWS managed
 * IP-reputation, common and known-bad-inputs rule groups plus a per-IP rate limit. Requests no rule
 * blocks are allowed. Every rule publishes CloudWatch metrics (`AWS/WAFV2`, `BlockedRequests` /
 * `CountedRequests` by rule) and sampled requests, so what the firewall does is visible.
 */
export class WebApplicationFirewall extends Construct {
  public readonly webAclArn: string;
  /** The created web ACL's metric name, the `WebACL` dimension of its `AWS/WAFV2` metrics; undefined for an existing ACL. */
  public readonly webAclMetricName?: string;
  /** Where the created web ACL logs its requests, with `logging`. */
  public readonly logGroupName?: string;

  constructor(scope: Construct, id: string, props: WebApplicationFirewallProps) {
    super(scope, id);
    if (props.webAclArn !== undefined && props.logging) {
      throw new Error("WebApplicationFirewall: logging is only for a created web ACL; an existing ACL's logging belongs to its owner");
    }
    if (props.webAclArn !== undefined) {
      this.webAclArn = props.webAclArn;
    } else {
      if (props.name === undefined) throw new Error("WebApplicationFirewall: name is required when no webAclArn is given");
      const name = props.name;
      this.webAclMetricName = name;
      const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
      const managedAction = props.managedRulesAction ?? "block";
      const managedRules: Wafv2WebAclRule[] = MANAGED_RULE_GROUPS.map((group, index) => ({
        name: group,
        priority: 10 + index * 10,
        // `none` keeps the group's own actions (block); `count` turns them all into counting.
        overrideAction: managedAction === "count" ? { count: {} } : { none: {} },
        // The statement is an untyped nested block in the provider binding: written as Terraform JSON.
        statement: { managed_rule_group_statement: { name: group, vendor_name: "AWS", ...ruleActionOverrides(group) } },
        visibilityConfig: visibility(`${name}-${group}`),
      }));
      const rateRule: Wafv2WebAclRule = {
        name: "rate-limit-per-ip",
        priority: 0,
        action: { block: {} },
        statement: { rate_based_statement: { limit: props.rateLimitPerFiveMinutes ?? 2000, aggregate_key_type: "IP", evaluation_window_sec: 300 } },
        visibilityConfig: visibility(`${name}-rate-limit-per-ip`),
      };
      const acl = new Wafv2WebAcl(this, "web-acl", {
        name,
        description: `Managed rule groups and a per-IP rate limit for ${name}`,
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        rule: [rateRule, ...managedRules],
        visibilityConfig: visibility(name),
      });
      this.webAclArn = acl.arn;
      if (props.logging) {
        const logGroup = new CloudwatchLogGroup(this, "log-group", {
          name: `${WAF_LOG_GROUP_PREFIX}${name}`,
          retentionInDays: props.logging.retentionDays,
        });
        this.logGroupName = logGroup.name;
        new Wafv2WebAclLoggingConfiguration(this, "logging", {
          resourceArn: acl.arn,
          // The provider's `arn` has no `:*` suffix, which WAF would refuse.
          logDestinationConfigs: [logGroup.arn],
          redactedFields: REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
        });
      }
    }
    new Wafv2WebAclAssociation(this, "association", { resourceArn: props.resourceArn, webAclArn: this.webAclArn });
  }
}
