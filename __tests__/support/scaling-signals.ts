import type { Synthesized } from "./synth";

type Resource = Record<string, any>;

/** The CloudWatch metric (namespace, name, dimension keys) behind each predefined target tracking metric. */
const PREDEFINED_METRICS: Record<string, string> = {
  ECSServiceAverageCPUUtilization: "AWS/ECS CPUUtilization [ClusterName,ServiceName]",
  ECSServiceAverageMemoryUtilization: "AWS/ECS MemoryUtilization [ClusterName,ServiceName]",
  ALBRequestCountPerTarget: "AWS/ApplicationELB RequestCountPerTarget [TargetGroup]",
  EC2SpotFleetRequestAverageCPUUtilization: "AWS/EC2Spot CPUUtilization [FleetRequestId]",
  EC2SpotFleetRequestAverageNetworkIn: "AWS/EC2Spot NetworkIn [FleetRequestId]",
  EC2SpotFleetRequestAverageNetworkOut: "AWS/EC2Spot NetworkOut [FleetRequestId]",
};

const metric = (namespace: unknown, name: unknown, dimensions: unknown) =>
  `${String(namespace)} ${String(name)} [${Object.keys((dimensions as object | undefined) ?? {}).sort().join(",")}]`;

/** What an alarm watches: one metric, or a metric math expression over named metrics. */
function alarmSignal(alarm: Resource): string {
  const queries = (alarm.metric_query ?? []) as Resource[];
  if (queries.length === 0) return metric(alarm.namespace, alarm.metric_name, alarm.dimensions);
  const inputs = queries
    .filter((query) => query.metric !== undefined)
    .map((query) => `${String(query.id)}=${metric(query.metric.namespace, query.metric.metric_name, query.metric.dimensions)}`)
    .sort();
  const expression = queries.find((query) => query.return_data === true)?.expression ?? "";
  return `${String(expression)} of {${inputs.join("; ")}}`;
}

interface Policy {
  readonly name: string;
  readonly targetTracking: boolean;
  /** Signals on which the policy adds capacity. */
  readonly out: string[];
  /** Signals on which the policy removes capacity. */
  readonly in: string[];
}

/** The scalable target a policy acts on, by its own values where the policy refers to the target resource. */
function targetName(json: Synthesized, policy: Resource): string {
  const resolve = (value: unknown): string => {
    const reference = /^\$\{aws_appautoscaling_target\.([\w-]+)\.(\w+)\}$/.exec(String(value));
    return reference ? String(json.resource?.aws_appautoscaling_target?.[reference[1]]?.[reference[2]]) : String(value);
  };
  return [policy.service_namespace, policy.resource_id, policy.scalable_dimension].map(resolve).join(" ");
}

function policiesByTarget(json: Synthesized): Map<string, Policy[]> {
  const alarms = Object.values(json.resource?.aws_cloudwatch_metric_alarm ?? {}) as Resource[];
  const byTarget = new Map<string, Policy[]>();
  for (const [id, policy] of Object.entries(json.resource?.aws_appautoscaling_policy ?? {}) as Array<[string, Resource]>) {
    const target = targetName(json, policy);
    let parsed: Policy;
    if (policy.policy_type === "TargetTrackingScaling") {
      const config = policy.target_tracking_scaling_policy_configuration as Resource;
      const predefined = config.predefined_metric_specification?.predefined_metric_type as string | undefined;
      const custom = config.customized_metric_specification as Resource | undefined;
      const signal = predefined !== undefined ? (PREDEFINED_METRICS[predefined] ?? predefined) : metric(custom?.namespace, custom?.metric_name, custom?.dimensions);
      parsed = { name: policy.name, targetTracking: true, out: [signal], in: config.disable_scale_in === true ? [] : [signal] };
    } else {
      const steps = (policy.step_scaling_policy_configuration?.step_adjustment ?? []) as Resource[];
      const signals = alarms.filter((alarm) => ((alarm.alarm_actions ?? []) as string[]).includes(`\${aws_appautoscaling_policy.${id}.arn}`)).map(alarmSignal);
      parsed = {
        name: policy.name,
        targetTracking: false,
        out: steps.some((step) => step.scaling_adjustment > 0) ? signals : [],
        in: steps.some((step) => step.scaling_adjustment < 0) ? signals : [],
      };
    }
    byTarget.set(target, [...(byTarget.get(target) ?? []), parsed]);
  }
  return byTarget;
}

/**
 * Every pair of scaling policies on one scalable target that fight: one can remove capacity on a
 * signal while another adds capacity on a signal that removal does not wait for. Application Auto
 * Scaling removes capacity through target tracking only when every target tracking policy with
 * scale-in agrees, so their signals gate each other; a step policy's alarm removes capacity on its
 * own signal alone. Whatever adds capacity must be among the signals a removal waits for, or the
 * removal undoes the addition after the cooldown.
 */
export function scalingSignalConflicts(json: Synthesized): string[] {
  const conflicts: string[] = [];
  for (const [target, policies] of policiesByTarget(json)) {
    const trackingGate = policies.filter((policy) => policy.targetTracking).flatMap((policy) => policy.in);
    for (const remover of policies) {
      for (const inSignal of remover.in) {
        const gate = remover.targetTracking ? trackingGate : [inSignal];
        for (const adder of policies) {
          for (const outSignal of adder.out.filter((signal) => !gate.includes(signal))) {
            conflicts.push(`${target}: ${remover.name} scales in on ${inSignal}, but ${adder.name} scales out on ${outSignal}`);
          }
        }
      }
    }
  }
  return conflicts;
}
