import { describe, expect, test } from "vitest";
import { SHIPPED_ENVIRONMENTS } from "../support/shipped-stacks";
import { ConfigError, parseEnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { dataSourcesOfType, resourcesOfType, synthEnvironment, type Synthesized, synthExample } from "../support/synth";
import { EXAMPLES, type ExampleName } from "../support/examples";

const withAmiWatch = (base: ExampleName, amiWatch: EnvironmentInput["amiWatch"], capacity: Partial<EnvironmentInput["capacity"]> = {}): EnvironmentInput => {
  const input = structuredClone(EXAMPLES[base]);
  return { ...input, amiWatch, capacity: { ...input.capacity, ...capacity } };
};

function amiWatchFunction(json: Synthesized): Record<string, any> {
  const found = resourcesOfType(json, "aws_lambda_function").filter((fn) => /ami-watch/.test(fn.function_name));
  if (found.length !== 1) throw new Error(`expected one ami-watch function, found ${found.length}`);
  return found[0];
}

function refreshResources(json: Synthesized): string[] {
  return dataSourcesOfType(json, "aws_iam_policy_document")
    .flatMap((document) => (document.statement ?? []) as Array<{ actions: string[]; resources?: string[] }>)
    .filter((statement) => statement.actions.includes("autoscaling:StartInstanceRefresh"))
    .flatMap((statement) => statement.resources ?? []);
}

describe("AMI watch in the platform stack", () => {
  test("production: daily check of both ASG pools, mailed to on-call, deploys roll the AMI", () => {
    // GIVEN / WHEN
    const { json } = synthExample("production");

    // THEN
    const fn = amiWatchFunction(json);
    expect(fn.function_name).toBe("acme-api-ami-watch-production");
    const variables = fn.environment.variables as Record<string, string>;
    expect(variables).toMatchObject({ ENVIRONMENT: "production", STACK_NAME: "production", AUTO_REFRESH: "false", MIN_HEALTHY_PERCENTAGE: "90" });
    // Pools reference the compute layer's launch templates and ASGs; Terraform renders the JSON.
    expect(variables.POOLS).toMatch(/^\$\{jsonencode\(\[.*\]\)\}$/s);
    expect(variables.POOLS.match(/"launchTemplateId" = aws_launch_template\.[\w-]+\.id/g)).toHaveLength(2);
    expect(variables.POOLS.match(/"asgName" = aws_autoscaling_group\.[\w-]+\.name/g)).toHaveLength(2);
    expect(variables.POOLS).toContain('"name" = "on-demand"');
    expect(variables.POOLS).toContain('"name" = "spot"');
    expect(variables.POOLS).toContain('"architecture" = "x86_64"');
    expect(resourcesOfType(json, "aws_cloudwatch_event_rule").find((rule) => rule.name === "acme-api-ami-watch-production")?.schedule_expression).toBe("rate(1 day)");
    // (the environment's alert topic is another topic)
    const topics = resourcesOfType(json, "aws_sns_topic").filter((topic) => topic.name === "acme-api-ami-updates-production");
    expect(topics).toEqual([expect.objectContaining({ kms_master_key_id: "alias/aws/sns" })]);
    const subscriptions = resourcesOfType(json, "aws_sns_topic_subscription").filter((subscription) => /aws_sns_topic\.ami-watch/.test(subscription.topic_arn));
    expect(subscriptions).toEqual([expect.objectContaining({ protocol: "email", endpoint: "platform-oncall@example.com" })]);
    expect(refreshResources(json)).toEqual([]);
    for (const template of resourcesOfType(json, "aws_launch_template")) {
      expect(template.image_id).toMatch(/^\$\{data\.aws_ssm_parameter\..+\.insecure_value\}$/);
    }
    expect(Object.keys(json.output ?? {})).toContain("ami_updates_topic_arn");
  });

  test("staging: only the ASG pool is watched (the Spot Fleet has no ASG and shares its AMI source)", () => {
    const variables = amiWatchFunction(synthExample("staging").json).environment.variables as Record<string, string>;
    expect(variables.POOLS.match(/"name" = "[\w-]+"/g)).toEqual(['"name" = "on-demand"']);
    expect(variables.POOLS).toContain('"architecture" = "arm64"');
  });

  test("autoRefresh: ASG templates follow the SSM parameter and only those ASGs may be refreshed", () => {
    // GIVEN production with autoRefresh / WHEN synthesized
    const { json } = synthEnvironment(withAmiWatch("production", { autoRefresh: true }));

    // THEN
    for (const template of resourcesOfType(json, "aws_launch_template")) {
      expect(template.image_id).toBe("resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id");
    }
    expect(dataSourcesOfType(json, "aws_ssm_parameter")).toEqual([]);
    expect(refreshResources(json)).toEqual([
      expect.stringMatching(/^\$\{aws_autoscaling_group\..*on-demand.*\.arn\}$/),
      expect.stringMatching(/^\$\{aws_autoscaling_group\..*spot.*\.arn\}$/),
    ]);
    expect(amiWatchFunction(json).environment.variables.AUTO_REFRESH).toBe("true");
  });

  test("a pinned AMI is still watched, and reported as pinned", () => {
    const { json } = synthEnvironment(withAmiWatch("production", {}, { amiId: "ami-0abc12345def67890" }));
    expect(amiWatchFunction(json).environment.variables.POOLS.match(/"pinnedAmiId" = "ami-0abc12345def67890"/g)).toHaveLength(2);
  });

  test("disabled: no function, no topic, templates take the AMI at plan time", () => {
    const { json, stack } = synthEnvironment(withAmiWatch("production", { enabled: false, autoRefresh: true }));
    expect(stack.amiWatch).toBeUndefined();
    expect(resourcesOfType(json, "aws_lambda_function").filter((fn) => /ami-watch/.test(fn.function_name))).toEqual([]);
    expect(resourcesOfType(json, "aws_sns_topic").map((topic) => topic.name)).not.toContain("acme-api-ami-updates-production");
    for (const template of resourcesOfType(json, "aws_launch_template")) expect(template.image_id).not.toMatch(/^resolve:ssm:/);
  });

  test.each<[string, EnvironmentInput, string]>([
    [
      "autoRefresh with a pinned AMI",
      withAmiWatch("production", { autoRefresh: true }, { amiId: "ami-0abc12345def67890" }),
      "amiWatch.autoRefresh: has no effect while capacity.amiId pins the AMI",
    ],
    [
      "autoRefresh in spot-fleet mode without the drainer",
      { ...withAmiWatch("staging", { autoRefresh: true }), spotDrainer: { enabled: false } },
      "amiWatch.autoRefresh: in spot-fleet mode needs spotDrainer.enabled",
    ],
  ])("refuses %s", (_case, input, message) => {
    expect(() => parseEnvironmentConfig(input)).toThrow(ConfigError);
    expect(() => parseEnvironmentConfig(input)).toThrow(message);
  });

  test("spot-fleet mode with the drainer: the on-demand ASG follows the parameter and its refresh is drained by the lifecycle hook", () => {
    // GIVEN / WHEN
    const { json } = synthEnvironment(withAmiWatch("staging", { autoRefresh: true }));

    // THEN
    const templates = resourcesOfType(json, "aws_launch_template");
    expect(templates.filter((template) => String(template.image_id).startsWith("resolve:ssm:"))).toHaveLength(1);
    expect(resourcesOfType(json, "aws_autoscaling_lifecycle_hook")).toEqual([expect.objectContaining({ lifecycle_transition: "autoscaling:EC2_INSTANCE_TERMINATING" })]);
  });
});

describe("AMI watch failures reach the alert topic", () => {
  test.each(SHIPPED_ENVIRONMENTS)("%s: the AMI watch's errors alarm notifies the environment's alert topic", (env) => {
    // GIVEN / WHEN
    const { json } = synthEnvironment(env);
    // THEN
    const alarm = resourcesOfType(json, "aws_cloudwatch_metric_alarm").find((candidate) => /ami-watch.*-errors$/.test(candidate.alarm_name));
    const alertTopic = Object.entries(json.resource?.aws_sns_topic ?? {}).find(([, topic]) => /alerts/.test(String(topic.name)));
    expect(alarm?.alarm_actions).toEqual(alertTopic ? [`\${aws_sns_topic.${alertTopic[0]}.arn}`] : []);
  });
});
