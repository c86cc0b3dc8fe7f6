import { describe, expect, test } from "vitest";
import { ENVIRONMENTS } from "../../stacks/environments";
import { resourcesOfType, synthEnvironment } from "../support/synth";

type Env = keyof typeof ENVIRONMENTS;
const drillOn = (env: Env) => ({ ...ENVIRONMENTS[env], spotDrill: { enabled: true, instancesPercent: 25 } });

describe("Spot interruption drill in the platform stack", () => {
  test.each(Object.keys(ENVIRONMENTS) as Env[])("GIVEN %s with the drill on WHEN synthesized THEN it targets the Spot pool, is stopped by every web service's 5xx alarm and has an output", (env) => {
    const { json } = synthEnvironment(drillOn(env));

    const [template, ...more] = resourcesOfType(json, "aws_fis_experiment_template");
    expect(more).toEqual([]);
    const [target] = template.target;
    expect(target.selection_mode).toBe("PERCENT(25)");
    const fleet = ENVIRONMENTS[env].capacity.mode === "spot-fleet";
    expect(target.resource_tag).toEqual([
      fleet
        ? { key: "aws:ec2spot:fleet-request-id", value: expect.stringMatching(/^\$\{aws_spot_fleet_request\.[\w-]+\.id\}$/) }
        : { key: "aws:autoscaling:groupName", value: expect.stringMatching(/^\$\{aws_autoscaling_group\.compute_spot[\w-]*\.name\}$/) },
    ]);
    // A traffic-shifting service's alarm sums both its target groups (metric math), so the metric is matched in its queries too.
    const watches5xx = (alarm: Record<string, any>): boolean =>
      alarm.metric_name === "HTTPCode_Target_5XX_Count" || (alarm.metric_query ?? []).some((query: Record<string, any>) => query.metric?.metric_name === "HTTPCode_Target_5XX_Count");
    const target5xx = resourcesOfType(json, "aws_cloudwatch_metric_alarm").filter(watches5xx);
    const webServices = (ENVIRONMENTS[env].services ?? []).filter((service) => (service.kind ?? "web") === "web");
    expect(target5xx).toHaveLength(webServices.length);
    expect(template.stop_condition.map((condition: { value: string }) => condition.value).sort()).toEqual(
      Object.entries(json.resource?.aws_cloudwatch_metric_alarm ?? {})
        .filter(([, alarm]) => watches5xx(alarm as Record<string, any>))
        .map(([id]) => `\${aws_cloudwatch_metric_alarm.${id}.arn}`)
        .sort(),
    );
    expect(json.output?.spot_drill_experiment_template_id).toBeDefined();
  });

  test.each(Object.keys(ENVIRONMENTS) as Env[])("GIVEN %s with the drill off WHEN synthesized THEN there is no template, role or output", (env) => {
    const { json } = synthEnvironment({ ...ENVIRONMENTS[env], spotDrill: { enabled: false } });

    expect(resourcesOfType(json, "aws_fis_experiment_template")).toEqual([]);
    expect(resourcesOfType(json, "aws_iam_role").map((role) => role.name)).not.toContainEqual(expect.stringContaining("spot-drill"));
    expect(json.output?.spot_drill_experiment_template_id).toBeUndefined();
  });
});
