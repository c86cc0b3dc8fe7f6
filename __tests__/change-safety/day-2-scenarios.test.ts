import { describe, expect, test } from "vitest";
import { setArguments } from "../../change-safety/set-arguments";
import { predictPlan, type PredictedPlan, type ResourceChange } from "../../change-safety/stack-diff";
import type { StackJson } from "../../change-safety/stack-json";
import { synthEnvironment } from "../support/synth";
import { configProblems } from "../support/config";
import { predictChange, shippedInput, type PredictedChange } from "../support/day-2";
import { SHIPPED_ENVIRONMENTS, shippedStack } from "../support/shipped-stacks";
import { parseEnvironmentConfig, type EnvironmentConfig, type EnvironmentInput } from "../../stacks/config";
import { ENVIRONMENTS } from "../../stacks/environments";
import { shiftsTraffic } from "../../stacks/config/deployment";

/** An explicit listener priority no service of the environment has (a team's own services may take 100). */
function freePriority(config: { services: ReadonlyArray<{ listenerPriority?: number }> }): number {
  const used = new Set(config.services.map((service) => service.listenerPriority));
  let priority = 100;
  while (used.has(priority)) priority++;
  return priority;
}

type Input = EnvironmentInput & Record<string, any>;
const typeOf = (address: string): string => address.split(".")[0];
const changedOfType = (plan: PredictedPlan, type: string): ResourceChange[] => plan.changed.filter((entry) => typeOf(entry.address) === type);
const replacedTypes = (plan: PredictedPlan): string[] => [...new Set(plan.changed.filter((entry) => entry.action === "replace").map((entry) => typeOf(entry.address)))].sort();
const addedTypes = (plan: PredictedPlan): string[] => [...new Set(plan.added.map((entry) => typeOf(entry.address)))].sort();
const changedPaths = (entry: ResourceChange): string[] => entry.changes.map((change) => change.path);
const webServices = (input: Input): any[] => (input.services ?? []).filter((service: any) => service.kind !== "daemon");
/** The first web service that still deploys rolling. */
const rollingWebService = (input: Input): any => webServices(input).find((service) => (service.deployment?.strategy ?? "rolling") === "rolling");
const hostedDomain = (config: EnvironmentConfig): boolean => config.loadBalancer.domain !== undefined;

/**
 * A change a team makes after launch. `change` edits a shipped environment's input (it may choose by
 * what the environment is, never by its name) or returns a reason it does not apply; `expectPlan`
 * asserts what the predicted plan must say. Every scenario also asserts that the plan is not refused.
 */
interface Scenario {
  readonly name: string;
  readonly input?: (input: Input, config: EnvironmentConfig) => void;
  /** A change of the synthesized stack itself, for what no config field reaches. */
  readonly stack?: (stack: any) => void;
  /** When the change cannot be expressed in this environment: the config must refuse it, with this message. */
  readonly notApplicable?: (config: EnvironmentConfig) => { readonly input: (input: Input) => void; readonly problem: RegExp } | undefined;
  readonly expectPlan: (result: PredictedChange, config: EnvironmentConfig) => void;
  /** The change plans but can fail while applied, and the prediction must say so. @default false */
  readonly applyRisk?: boolean;
  /** The plan passes but AWS refuses the apply: the refusals by resource type and message. @default none */
  readonly refusedAtApply?: ReadonlyArray<readonly [string, RegExp]>;
}

const spotFleetMode = (config: EnvironmentConfig): boolean => config.capacity.mode === "spot-fleet";
/** A web service's listener rules: its own, and a traffic-shifting service's test rule. */
const rulesOf = (service: EnvironmentConfig["services"][number]): number => 1 + (shiftsTraffic(service.deployment) && service.deployment.testTraffic ? 1 : 0);
/** A web service's target groups: a traffic-shifting service alternates between two. */
const targetGroupsOf = (service: EnvironmentConfig["services"][number]): number => (shiftsTraffic(service.deployment) ? 2 : 1);
const firstWeb = (config: EnvironmentConfig) => config.services.filter((service) => service.kind === "web")[0];

const SCENARIOS: readonly Scenario[] = [
  {
    name: "split change (on-demand base and weights, or fleet and on-demand sizes)",
    input: (input, config) => {
      if (spotFleetMode(config)) {
        input.capacity!.onDemand = { ...input.capacity!.onDemand!, minSize: 1, desiredCapacity: 1 } as any;
        (input.capacity as any).spotFleet.targetCapacity += 1;
      } else input.capacity!.strategy = { onDemandBase: 1, onDemandWeight: 1, spotWeight: 9 };
    },
    expectPlan: ({ plan }, config) => {
      expect(plan.verdict).toBe("safe");
      if (spotFleetMode(config)) {
        expect(changedOfType(plan, "aws_spot_fleet_request").map((entry) => [entry.action, changedPaths(entry)])).toEqual([["update", ["target_capacity"]]]);
        expect(changedOfType(plan, "aws_autoscaling_group").every((entry) => entry.action === "update")).toBe(true);
      } else {
        // Every web service moves in place (force_new_deployment rolls its tasks onto the new split).
        const services = changedOfType(plan, "aws_ecs_service");
        expect(services.length).toBeGreaterThan(0);
        for (const service of services) expect([service.action, changedPaths(service).every((path) => path.startsWith("capacity_provider_strategy"))]).toEqual(["update", true]);
      }
    },
  },
  {
    name: "pool move (a service pinned to on-demand, or back)",
    notApplicable: (config) =>
      spotFleetMode(config) ? { input: (input) => (webServices(input)[0].capacityPool = "on-demand"), problem: /spot-fleet mode has no capacity providers/ } : undefined,
    input: (input) => {
      const service = webServices(input)[0];
      service.capacityPool = service.capacityPool === "on-demand" ? "default" : "on-demand";
    },
    expectPlan: ({ plan }) => {
      expect(plan.verdict).toBe("safe");
      expect(changedOfType(plan, "aws_ecs_service").map((entry) => entry.action)).toEqual(["update"]);
    },
  },
  {
    name: "new host (with a domain, also on the certificate)",
    input: (input, config) => {
      if (hostedDomain(config)) {
        const service = webServices(input).find((candidate) => candidate.hostHeaders?.length);
        service.hostHeaders.push(`status.${config.loadBalancer.domain!.name}`);
        input.loadBalancer!.domain!.subjectAlternativeNames = [...(input.loadBalancer!.domain!.subjectAlternativeNames ?? []), `status.${config.loadBalancer.domain!.name}`];
      } else input.services!.push({ name: "status", image: "nginx", memory: 256, memoryReservation: 128, containerPort: 8080, hostHeaders: ["status.example.com"], listenerPriority: freePriority(config) } as any);
    },
    expectPlan: ({ plan }, config) => {
      expect(plan.verdict).toBe("safe");
      if (hostedDomain(config)) {
        // The certificate gains a name: replaced create-before-destroy, not blocked, the listener moves to it.
        const [certificate] = changedOfType(plan, "aws_acm_certificate");
        expect(certificate).toEqual(expect.objectContaining({ action: "replace", replacedBy: ["subject_alternative_names"], consequence: expect.stringContaining("DNS-validated") }));
        expect(changedOfType(plan, "aws_lb_listener").some((entry) => changedPaths(entry).includes("certificate_arn"))).toBe(true);
        const service = config.services.find((candidate) => candidate.kind === "web" && candidate.hostHeaders.length > 0)!;
        expect(changedOfType(plan, "aws_lb_listener_rule").map((entry) => entry.action)).toEqual(Array(rulesOf(service)).fill("update"));
      } else expect(addedTypes(plan)).toEqual(expect.arrayContaining(["aws_ecs_service", "aws_lb_listener_rule", "aws_lb_target_group"]));
    },
  },
  {
    name: "new service",
    input: (input, config) => {
      const routing = hostedDomain(config) ? { hostHeaders: [`reports.${config.loadBalancer.domain!.name}`] } : { pathPatterns: ["/reports/*"], listenerPriority: freePriority(config) };
      input.services!.push({ name: "reports", image: "nginx", memory: 256, memoryReservation: 128, containerPort: 8080, ...routing } as any);
      if (hostedDomain(config)) input.loadBalancer!.domain!.subjectAlternativeNames = [...(input.loadBalancer!.domain!.subjectAlternativeNames ?? []), `reports.${config.loadBalancer.domain!.name}`];
    },
    expectPlan: ({ plan }) => {
      expect(plan.verdict).toBe("safe");
      expect(addedTypes(plan)).toEqual(expect.arrayContaining(["aws_cloudwatch_log_group", "aws_ecs_service", "aws_ecs_task_definition", "aws_lb_listener_rule", "aws_lb_target_group"]));
      expect(plan.removed).toEqual([]);
    },
  },
  {
    name: "port change (containerPort) of a rolling service",
    applyRisk: true,
    input: (input) => {
      const service = rollingWebService(input);
      service.containerPort += 1;
    },
    expectPlan: ({ plan }) => {
      // The target group is replaced create-before-destroy (not blocked); the task definition gets a new revision.
      expect(plan.verdict).toBe("safe");
      expect(replacedTypes(plan)).toEqual(["aws_ecs_task_definition", "aws_lb_target_group"]);
      expect(changedOfType(plan, "aws_lb_target_group")[0]).toEqual(expect.objectContaining({ replacedBy: ["port"], consequence: expect.stringContaining("move to the new group") }));
      expect(changedOfType(plan, "aws_ecs_service").map((entry) => entry.action)).toEqual(["update"]);
      // It plans, but the service still runs the revision without the new port: the diff warns before apply.
      expect(plan.applyRisks.map((risk) => [typeOf(risk.address), risk.message])).toEqual([["aws_ecs_service", expect.stringContaining("run a revision with the new port first")]]);
    },
  },
  {
    name: "health-check change",
    input: (input) => {
      const service = webServices(input)[0];
      service.healthCheck = { ...service.healthCheck, path: "/ready" };
    },
    expectPlan: ({ plan }, config) => {
      expect(plan.verdict).toBe("safe");
      expect(plan.changed.map((entry) => [typeOf(entry.address), entry.action, changedPaths(entry)])).toEqual(
        Array(targetGroupsOf(firstWeb(config))).fill(["aws_lb_target_group", "update", ["health_check.path"]]),
      );
    },
  },
  {
    name: "instance types added and removed",
    input: (input, config) => {
      if (spotFleetMode(config)) {
        const fleet = (input.capacity as any).spotFleet;
        fleet.instanceTypes = [...fleet.instanceTypes.slice(1), { type: "m6g.large", weightedCapacity: 1 }];
      } else {
        const spot = input.capacity!.spot as any;
        spot.instanceTypes = [...spot.instanceTypes.slice(0, -1), "m7a.large"];
      }
    },
    expectPlan: ({ plan }, config) => {
      expect(plan.refusals).toEqual([]);
      if (spotFleetMode(config)) {
        // launch_template_config is ForceNew: the whole fleet goes, and the diff says what that costs.
        expect(plan.verdict).toBe("costly");
        expect(plan.losses.map((loss) => [typeOf(loss.address), loss.action, loss.class])).toEqual([["aws_spot_fleet_request", "replace", "disruptive"]]);
        expect(plan.losses[0].consequence).toMatch(/ALL its instances are terminated at once/);
      } else {
        expect(plan.verdict).toBe("safe");
        expect(plan.changed.map((entry) => [typeOf(entry.address), entry.action])).toEqual([["aws_autoscaling_group", "update"]]);
      }
    },
  },
  {
    name: "env and secret change",
    input: (input) => {
      const service = webServices(input)[0];
      service.environment = { ...service.environment, FEATURE_FLAGS: "new-checkout" };
      service.secrets = { ...service.secrets, PAYMENT_KEY: "arn:aws:ssm:eu-west-1:123456789012:parameter/acme-api/payment-key" };
    },
    expectPlan: ({ plan }) => {
      expect(plan.verdict).toBe("safe");
      expect(replacedTypes(plan)).toEqual(["aws_ecs_task_definition"]);
      // Terraform registers a new revision of the configuration family only; the released family is the release tool's (ignore_changes = all).
      const definitions = changedOfType(plan, "aws_ecs_task_definition");
      expect(definitions.filter((entry) => entry.action === "replace").map((entry) => entry.address)).toEqual([expect.stringMatching(/config-task-definition/)]);
      expect(definitions.filter((entry) => entry.action === "update").every((entry) => entry.changes.every((change) => change.ignored))).toBe(true);
      // The service's revision belongs to releases (ignore_changes): the new one does not roll the service here.
      expect(changedOfType(plan, "aws_ecs_service").every((entry) => entry.changes.every((change) => change.ignored))).toBe(true);
    },
  },
  {
    name: "new job",
    input: (input) => {
      input.scheduledTasks = [...(input.scheduledTasks ?? []), { name: "cleanup", schedule: "cron(0 4 * * ? *)", image: "public.ecr.aws/docker/library/busybox:1.36", command: ["true"], cpu: 64, memory: 64 } as any];
    },
    expectPlan: ({ plan }) => {
      expect(plan.verdict).toBe("safe");
      expect(plan.removed).toEqual([]);
      expect(addedTypes(plan)).toEqual(expect.arrayContaining(["aws_cloudwatch_event_rule", "aws_ecs_task_definition"]));
      expect(replacedTypes(plan)).toEqual([]);
    },
  },
  {
    name: "job removed",
    input: (input) => {
      input.scheduledTasks = (input.scheduledTasks ?? []).slice(1);
    },
    expectPlan: ({ plan }) => {
      // Not refused (its block, prevent_destroy with it, is gone), but what it held is lost, and the diff says so.
      expect(plan.refusals).toEqual([]);
      expect(plan.removed.map((entry) => typeOf(entry.address))).toEqual(expect.arrayContaining(["aws_cloudwatch_event_rule"]));
      expect(plan.losses.length).toBeGreaterThan(0);
      for (const loss of plan.losses) expect([loss.action, loss.class, loss.consequence]).toEqual(["destroy", "stateful", expect.stringMatching(/dropped|deleted/)]);
      expect(plan.verdict).toBe("costly");
    },
  },
  {
    name: "WAF on (or, where it is on, a new rate limit)",
    input: (input) => {
      const waf = input.loadBalancer!.waf as any;
      input.loadBalancer!.waf = waf?.mode === "create" ? { ...waf, rateLimitPerFiveMinutes: (waf.rateLimitPerFiveMinutes ?? 2000) * 2 } : ({ mode: "create" } as any);
    },
    expectPlan: ({ plan }, config) => {
      expect(plan.verdict).toBe("safe");
      if (config.loadBalancer.waf === undefined) {
        expect(addedTypes(plan)).toEqual(expect.arrayContaining(["aws_wafv2_web_acl", "aws_wafv2_web_acl_association"]));
        expect([plan.removed, replacedTypes(plan)]).toEqual([[], []]);
      } else expect(plan.changed.map((entry) => [typeOf(entry.address), entry.action])).toEqual([["aws_wafv2_web_acl", "update"]]);
    },
  },
  {
    name: "log retention",
    input: (input, config) => {
      input.logs = { ...input.logs, retentionDays: config.logs.retentionDays === 30 ? 60 : 30 };
    },
    expectPlan: ({ plan }) => {
      expect(plan.verdict).toBe("safe");
      const groups = changedOfType(plan, "aws_cloudwatch_log_group");
      expect(groups.length).toBeGreaterThan(0);
      for (const group of groups) expect([group.action, changedPaths(group)]).toEqual(["update", ["retention_in_days"]]);
    },
  },
  {
    name: "KMS key on (or, where the platform created one, off)",
    input: (input) => {
      input.logs = { ...input.logs, kmsKey: input.logs?.kmsKey === undefined ? "create" : undefined } as any;
    },
    expectPlan: ({ plan }, config) => {
      expect(plan.refusals).toEqual([]);
      for (const group of changedOfType(plan, "aws_cloudwatch_log_group")) expect([group.action, changedPaths(group)]).toEqual(["update", ["kms_key_id"]]);
      if (config.logs.kmsKey === undefined) {
        expect(plan.verdict).toBe("safe");
        expect(addedTypes(plan)).toEqual(expect.arrayContaining(["aws_kms_key"]));
      } else {
        // Turning it off destroys the key: what it encrypted becomes unreadable, and the diff says so.
        expect(plan.losses.map((loss) => [typeOf(loss.address), loss.action])).toEqual([["aws_kms_key", "destroy"]]);
        expect(plan.losses[0].consequence).toMatch(/unreadable/);
      }
    },
  },
  {
    name: "capacity mode change",
    input: (input, config) => {
      const capacity = input.capacity as any;
      if (spotFleetMode(config)) {
        const types = capacity.spotFleet.instanceTypes.map((entry: { type: string }) => entry.type);
        capacity.mode = "capacity-providers";
        delete capacity.spotFleet;
        capacity.spot = { instanceTypes: types, minSize: 0, maxSize: 4 };
        if (input.spotDrainer) delete (input.spotDrainer as any).drainOnRebalance;
      } else {
        capacity.mode = "spot-fleet";
        capacity.spotFleet = { instanceTypes: capacity.spot.instanceTypes.slice(0, 3).map((type: string) => ({ type, weightedCapacity: 1 })), targetCapacity: 3, minCapacity: 3, maxCapacity: 20 };
        for (const key of ["spot", "managedScaling", "strategy"]) delete capacity[key];
        for (const item of [...(input.services ?? []), ...(input.scheduledTasks ?? [])] as any[]) delete item.capacityPool;
        // Spot Fleet mode refuses traffic-shifting deployments (no managed scaling for the second set): back to rolling.
        for (const service of (input.services ?? []) as any[]) if (service.deployment) service.deployment = { strategy: "rolling" };
      }
    },
    expectPlan: ({ plan }, config) => {
      // It plans; what runs on the capacity that goes is interrupted, and the diff says so.
      expect(plan.refusals).toEqual([]);
      expect(plan.verdict).toBe("costly");
      const gone = spotFleetMode(config) ? "aws_spot_fleet_request" : "aws_autoscaling_group";
      expect(plan.losses.filter((loss) => typeOf(loss.address) === gone).map((loss) => loss.consequence)).toEqual([expect.stringMatching(/terminated at once/)]);
      const services = changedOfType(plan, "aws_ecs_service");
      expect(services.length).toBeGreaterThan(0);
      // Onto capacity providers a service moves in place; off them it needs the EC2 launch type, which replaces it.
      for (const service of services) expect(service.action).toBe(spotFleetMode(config) ? "update" : "replace");
    },
  },
  {
    name: "a live rolling bridge web service switched to canary (awsvpc) in one change",
    notApplicable: (config) =>
      spotFleetMode(config)
        ? { input: (input) => Object.assign(rollingWebService(input), { networkMode: "awsvpc", deployment: { strategy: "canary" } }), problem: /only capacity providers' managed scaling adds instances/ }
        : undefined,
    input: (input) => Object.assign(rollingWebService(input), { networkMode: "awsvpc", deployment: { strategy: "canary" } }),
    refusedAtApply: [
      ["aws_ecs_service", /network_configuration is added.*InvalidParameterException "Network Configuration is not valid for the given networkMode of this task definition".*-replace/],
      ["aws_ecs_service", /deployment_configuration.strategy becomes CANARY, but load_balancer is in ignore_changes/],
      ["aws_lb_target_group", /aws_lb_listener_rule\.\S+ references it only through action.*ResourceInUse/],
    ],
    applyRisk: true,
    expectPlan: ({ plan }) => {
      // It plans: the target type (instance -> ip) and network mode cannot change in place (new group, new revision), the service updates in place.
      expect(replacedTypes(plan)).toEqual(expect.arrayContaining(["aws_ecs_task_definition", "aws_lb_target_group"]));
      expect(changedOfType(plan, "aws_ecs_service").map((entry) => entry.action)).toEqual(["update"]);
      expect(addedTypes(plan)).toEqual(expect.arrayContaining(["aws_lb_target_group"]));
      // The new ignore_changes entries swallow the rule's new action and the service's new load balancer.
      expect(plan.applyRisks.map((risk) => [typeOf(risk.address), risk.message])).toEqual(
        expect.arrayContaining([
          ["aws_lb_listener_rule", expect.stringMatching(/^action enter\(s\) lifecycle.ignore_changes in the same change/)],
          ["aws_ecs_service", expect.stringMatching(/^load_balancer enter\(s\) lifecycle.ignore_changes/)],
        ]),
      );
    },
  },
  {
    name: "step 1 of the switch: a live rolling bridge web service moved to awsvpc, still rolling",
    notApplicable: (config) =>
      spotFleetMode(config) ? { input: (input) => Object.assign(rollingWebService(input), { networkMode: "awsvpc", deployment: { strategy: "canary" } }), problem: /only capacity providers' managed scaling adds instances/ } : undefined,
    input: (input) => Object.assign(rollingWebService(input), { networkMode: "awsvpc" }),
    // Only the service's network configuration is refused (apply it with -replace); the rule follows the new ip group.
    refusedAtApply: [["aws_ecs_service", /network_configuration is added.*terraform apply -replace=/]],
    expectPlan: ({ plan }) => {
      expect(changedOfType(plan, "aws_lb_target_group").map((entry) => [entry.action, entry.replacedBy])).toEqual([["replace", ["target_type"]]]);
      expect(changedOfType(plan, "aws_lb_listener_rule").flatMap((entry) => entry.changes.filter((change) => change.ignored))).toEqual([]);
    },
  },
  {
    name: "the Spot Fleet's launch template renamed (or, without a fleet, the Spot group's)",
    stack: (stack) => {
      const [template] = Object.values(stack.resource.aws_launch_template as Record<string, any>).filter((args) => /spot/.test(args.name));
      template.name = `${template.name}-v2`;
    },
    expectPlan: ({ plan }) => {
      expect(plan.refusals).toEqual([]);
      expect(changedOfType(plan, "aws_launch_template").map((entry) => [entry.action, entry.replacedBy])).toEqual([["replace", ["name"]]]);
      const fleets = changedOfType(plan, "aws_spot_fleet_request");
      if (fleets.length > 0) {
        // The reference text is the same; the template's new id is not: the fleet goes, every instance with it.
        expect(fleets.map((entry) => [entry.action, entry.replacedBy, entry.replacedThrough])).toEqual([["replace", ["launch_template_config"], [expect.stringMatching(/^aws_launch_template\./)]]]);
        expect(plan.verdict).toBe("costly");
        expect(plan.losses.map((loss) => loss.consequence)).toEqual([expect.stringMatching(/ALL its instances are terminated at once/)]);
      } else {
        expect(plan.verdict).toBe("safe");
        expect(changedOfType(plan, "aws_autoscaling_group").map((entry) => entry.action)).toEqual(["update"]);
      }
    },
  },
];

const cases = SCENARIOS.flatMap((scenario) => SHIPPED_ENVIRONMENTS.map((environment) => [scenario.name, environment, scenario] as const));

describe("day-2 changes plan on every registered environment, and the diff reports them", () => {
  test.each(cases)("%s: %s", (_name, environment, scenario) => {
    const config = parseEnvironmentConfig(ENVIRONMENTS[environment]);
    const notApplicable = scenario.notApplicable?.(config);
    if (notApplicable !== undefined) {
      // GIVEN a change this environment's shape cannot have / THEN validation says why, before any plan
      const input = shippedInput(environment) as Input;
      notApplicable.input(input);
      expect(configProblems(input)).toEqual(expect.arrayContaining([expect.stringMatching(notApplicable.problem)]));
      return;
    }
    // GIVEN the shipped stack as deployed / WHEN the change is made and synthesized once
    const result = predictChange(environment, { input: scenario.input, stack: scenario.stack });

    // THEN terraform plan does not refuse it (the apply only where the scenario says so), and the prediction says what the scenario expects
    expect(result.plan.refusals.filter((refusal) => refusal.stage === "plan")).toEqual([]);
    const refusedAtApply = scenario.refusedAtApply ?? [];
    expect(result.plan.refusals.map((refusal) => [typeOf(refusal.address), refusal.message])).toEqual(refusedAtApply.map(([type, message]) => [type, expect.stringMatching(message)]));
    expect(result.plan.verdict).toEqual(refusedAtApply.length > 0 ? "refused" : expect.stringMatching(/^(safe|costly)$/));
    expect(result.plan.applyRisks.length > 0).toBe(scenario.applyRisk === true);
    expect(result.plan.changed.length + result.plan.added.length + result.plan.removed.length).toBeGreaterThan(0);
    scenario.expectPlan(result, config);
  });
});

describe("step 2 of the switch (docs/progressive-delivery.md): from awsvpc, still rolling, to canary", () => {
  const environments = SHIPPED_ENVIRONMENTS.map((environment) => [environment] as const);
  test.each(environments)("%s", (environment) => {
    const config = parseEnvironmentConfig(ENVIRONMENTS[environment]);
    const toAwsvpc = (input: Input) => Object.assign(rollingWebService(input), { networkMode: "awsvpc" });
    if (spotFleetMode(config)) {
      // GIVEN a spot-fleet environment / THEN the strategy is refused by the config, before any plan
      const input = shippedInput(environment) as Input;
      Object.assign(rollingWebService(input), { networkMode: "awsvpc", deployment: { strategy: "canary" } });
      expect(configProblems(input)).toEqual(expect.arrayContaining([expect.stringMatching(/only capacity providers' managed scaling adds instances/)]));
      return;
    }
    // GIVEN step 1 applied (the service on awsvpc, rolling) / WHEN the strategy becomes canary
    const baseInput = shippedInput(environment) as Input;
    toAwsvpc(baseInput);
    const headInput = structuredClone(baseInput);
    rollingWebService(headInput).deployment = { strategy: "canary" };
    const plan = predictPlan(environment, synthEnvironment(baseInput).json as StackJson, synthEnvironment(headInput).json as StackJson);

    // THEN the primary group stays (ip to ip), only the strategy is refused at apply (recreate the service), and the rule's new action is never applied
    expect(changedOfType(plan, "aws_lb_target_group").filter((entry) => entry.action === "replace")).toEqual([]);
    expect(plan.refusals.map((refusal) => [refusal.stage, typeOf(refusal.address), refusal.message])).toEqual([
      ["apply", "aws_ecs_service", expect.stringMatching(/strategy becomes CANARY, but load_balancer is in ignore_changes.*-replace=aws_ecs_task_definition\./)],
    ]);
    expect(plan.applyRisks.map((risk) => [typeOf(risk.address), risk.message])).toEqual(
      expect.arrayContaining([["aws_lb_listener_rule", expect.stringMatching(/^action enter\(s\) lifecycle.ignore_changes in the same change/)]]),
    );
  });
});

/** `stack` with every set (as set-arguments.json names them, nested ones too) in reverse order. */
function reverseSets(stack: any): void {
  const reverse = (value: unknown, at: string, paths: ReadonlySet<string>): void => {
    if (Array.isArray(value)) {
      if (paths.has(at)) value.reverse();
      for (const item of value) reverse(item, at, paths);
    } else if (typeof value === "object" && value !== null) {
      for (const [name, child] of Object.entries(value)) reverse(child, at === "" ? name : `${at}.${name}`, paths);
    }
  };
  for (const kind of ["resource", "data"] as const) {
    for (const [type, byName] of Object.entries(stack[kind] ?? {})) {
      for (const args of Object.values(byName as Record<string, unknown>)) reverse(args, "", setArguments(kind, type));
    }
  }
}

describe("day-2 changes that only reorder sets plan nothing (docs/change-safety.md, \"Sets are sets\")", () => {
  const environments = SHIPPED_ENVIRONMENTS.map((environment) => [environment] as const);
  test.each(environments)("GIVEN %s with every set in reverse order WHEN diffed THEN nothing changes, as terraform plan would say", (environment) => {
    // GIVEN (a reordered config list, e.g. subnets or capacity weights, reaches the stack this way)
    const { head, plan } = predictChange(environment, { stack: reverseSets });
    expect(JSON.stringify(head)).not.toBe(JSON.stringify(shippedStack(environment).json));

    // THEN
    expect([plan.changed, plan.added, plan.removed, plan.dataSources, plan.losses, plan.refusals]).toEqual([[], [], [], [], [], []]);
    expect(plan.verdict).toBe("safe");
  });

  test.each(environments)("GIVEN %s WHEN one element of a set changes THEN only that element is reported", (environment) => {
    const base = shippedStack(environment).json as any;
    const [address, subnets] = Object.entries(base.resource.aws_lb as Record<string, any>).map(([name, args]) => [`aws_lb.${name}`, args.subnets as unknown[]] as const)[0];
    // GIVEN the load balancer's subnets in reverse order, the first of them swapped for another
    const head = structuredClone(base);
    const name = address.split(".")[1];
    head.resource.aws_lb[name].subnets = [...subnets].reverse().map((subnet, index) => (index === 0 ? "subnet-0other" : subnet));

    // WHEN
    const plan = predictPlan(environment, base as StackJson, head as StackJson);

    // THEN the one subnet that went and the one that came, in place (an ALB's subnets change in place)
    expect(plan.changed.map((entry) => [entry.address, entry.action, entry.changes.map((change) => [change.path, change.before, change.after])])).toEqual([
      [address, "update", [["subnets[0]", JSON.stringify(subnets[subnets.length - 1]), '"subnet-0other"']]],
    ]);
  });

  test.each(environments)("GIVEN %s's subnet lists and Spot instance types in reverse order WHEN synthesized and diffed THEN only what is ordered changes", (environment) => {
    // WHEN a team reorders config lists (subnets land in sets; an ASG's instance type overrides are a list: their order is their priority)
    const { plan } = predictChange(environment, {
      input: (input: any) => {
        for (const list of Object.values(input.network ?? {})) if (Array.isArray(list)) list.reverse();
        input.capacity?.spot?.instanceTypes?.reverse();
        input.capacity?.spotFleet?.instanceTypes?.reverse();
      },
    });

    // THEN nothing is replaced (the Spot Fleet's overrides are a set), and an ASG at most updates its overrides in place
    expect(plan.verdict).toBe("safe");
    for (const entry of plan.changed) {
      expect([entry.address.split(".")[0], entry.action]).toEqual(["aws_autoscaling_group", "update"]);
      for (const change of entry.changes) expect(change.path).toMatch(/^mixed_instances_policy\.launch_template\.override\[\d+\]\./);
    }
  });
});
