import { describe, expect, test } from "vitest";
import { MANAGED_RULE_GROUPS, REDACTED_HEADERS, WAF_LOG_GROUP_PREFIX, WebApplicationFirewall } from "../../../modules/traffic/web-application-firewall";
import { resourcesOfType, soleResource, synthConstructs } from "../../support/synth";

const ALB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef";

describe("WebApplicationFirewall", () => {
  test("GIVEN a name and a rate limit WHEN synthesized THEN the ACL allows by default, rate-limits first and runs each managed group with metrics named after it", () => {
    // GIVEN / WHEN
    const json = synthConstructs((scope) => new WebApplicationFirewall(scope, "waf", { resourceArn: ALB, name: "acme-web-test", rateLimitPerFiveMinutes: 500 }));
    // THEN
    const acl = soleResource(json, "aws_wafv2_web_acl");
    expect(acl).toMatchObject({ name: "acme-web-test", scope: "REGIONAL", default_action: { allow: {} } });
    expect(acl.visibility_config).toEqual({ cloudwatch_metrics_enabled: true, metric_name: "acme-web-test", sampled_requests_enabled: true });
    const rules = acl.rule as Array<Record<string, any>>;
    expect(rules[0].statement).toEqual({ rate_based_statement: { limit: 500, aggregate_key_type: "IP", evaluation_window_sec: 300 } });
    expect(rules.slice(1).map((rule) => rule.name)).toEqual([...MANAGED_RULE_GROUPS]);
    expect(rules.map((rule) => rule.visibility_config.metric_name)).toEqual([
      "acme-web-test-rate-limit-per-ip",
      ...MANAGED_RULE_GROUPS.map((group) => `acme-web-test-${group}`),
    ]);
    expect(new Set(rules.map((rule) => rule.priority)).size).toBe(rules.length);
    expect(soleResource(json, "aws_wafv2_web_acl_association").resource_arn).toBe(ALB);
  });

  test("GIVEN the common rule set WHEN synthesized THEN bodies over 8 KB are counted, not blocked (an API's uploads would get 403s no alarm sees)", () => {
    const json = synthConstructs((scope) => new WebApplicationFirewall(scope, "waf", { resourceArn: ALB, name: "acme-web-test" }));
    const rules = soleResource(json, "aws_wafv2_web_acl").rule as Array<Record<string, any>>;
    const overrides = Object.fromEntries(rules.slice(1).map((rule) => [rule.name, rule.statement.managed_rule_group_statement.rule_action_override]));
    expect(overrides).toEqual({
      AWSManagedRulesAmazonIpReputationList: undefined,
      AWSManagedRulesCommonRuleSet: [{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }],
      AWSManagedRulesKnownBadInputsRuleSet: undefined,
    });
  });

  test("GIVEN an existing ACL WHEN synthesized THEN only the association is made", () => {
    const webAclArn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shared/a1b2c3d4-5678-90ab-cdef-0123456789ab";
    const json = synthConstructs((scope) => new WebApplicationFirewall(scope, "waf", { resourceArn: ALB, webAclArn }));
    expect(resourcesOfType(json, "aws_wafv2_web_acl")).toEqual([]);
    expect(soleResource(json, "aws_wafv2_web_acl_association")).toMatchObject({ resource_arn: ALB, web_acl_arn: webAclArn });
  });

  test("GIVEN neither a name nor an ACL WHEN constructed THEN it says what is missing", () => {
    expect(() => synthConstructs((scope) => new WebApplicationFirewall(scope, "waf", { resourceArn: ALB }))).toThrow(
      "WebApplicationFirewall: name is required when no webAclArn is given",
    );
  });

  describe("logging", () => {
    test("GIVEN logging WHEN synthesized THEN every request goes to a log group named as WAF requires, kept for the retention, without credentials", () => {
      // GIVEN / WHEN
      const json = synthConstructs((scope) => new WebApplicationFirewall(scope, "waf", { resourceArn: ALB, name: "acme-web-test", logging: { retentionDays: 30 } }));

      // THEN
      const logGroup = soleResource(json, "aws_cloudwatch_log_group");
      expect(logGroup).toMatchObject({ name: "aws-waf-logs-acme-web-test", retention_in_days: 30 });
      expect(logGroup.name.startsWith(WAF_LOG_GROUP_PREFIX)).toBe(true);
      const logging = soleResource(json, "aws_wafv2_web_acl_logging_configuration");
      expect(logging.resource_arn).toMatch(/^\$\{aws_wafv2_web_acl\.[\w-]+\.arn\}$/);
      expect(logging.log_destination_configs).toEqual([expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[\w-]+\.arn\}$/)]);
      expect(logging.redacted_fields).toEqual([{ single_header: { name: "authorization" } }, { single_header: { name: "cookie" } }]);
      expect(logging.logging_filter).toBeUndefined();
    });

    // The provider's validator: 1 to 40 characters of ^[a-z0-9-_]+$ (the API returns header names in lower case).
    test.each([...REDACTED_HEADERS])("GIVEN redacted header %s THEN the provider's name rule accepts it", (header) => {
      expect(header).toMatch(/^[a-z0-9-_]{1,40}$/);
    });

    test("GIVEN no logging WHEN synthesized THEN there is no log group and no logging configuration", () => {
      const json = synthConstructs((scope) => new WebApplicationFirewall(scope, "waf", { resourceArn: ALB, name: "acme-web-test" }));
      expect(resourcesOfType(json, "aws_cloudwatch_log_group")).toEqual([]);
      expect(resourcesOfType(json, "aws_wafv2_web_acl_logging_configuration")).toEqual([]);
    });

    test("GIVEN an existing ACL and logging WHEN constructed THEN it refuses: the ACL's one logging configuration is its owner's", () => {
      const webAclArn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shared/a1b2c3d4-5678-90ab-cdef-0123456789ab";
      expect(() => synthConstructs((scope) => new WebApplicationFirewall(scope, "waf", { resourceArn: ALB, webAclArn, logging: { retentionDays: 30 } }))).toThrow(
        "logging is only for a created web ACL",
      );
    });
  });
});
