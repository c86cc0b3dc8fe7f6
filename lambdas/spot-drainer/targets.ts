import type { Service, Task } from "@aws-sdk/client-ecs";
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  TargetDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Logger } from "./log";
import { describeError } from "./log";
import type { Clock } from "./retry";
import type { Retry } from "./util";

/** Target group ARN → this instance's targets (instance id + dynamic host port) in it. */
export type TargetsByGroup = Map<string, TargetDescription[]>;

const SERVICE_GROUP_PREFIX = "service:";

/** Service name from a task's group ("service:<name>"); undefined for standalone tasks. */
export function serviceNameOf(task: Task): string | undefined {
  return task.group?.startsWith(SERVICE_GROUP_PREFIX) ? task.group.slice(SERVICE_GROUP_PREFIX.length) : undefined;
}

/**
 * Maps service tasks to their target-group registrations. Bridge mode registers the instance with the
 * host port Docker picked, so it is read from the task's network bindings for the load-balanced container.
 */
export function targetsForTasks(
  instanceId: string,
  tasks: Task[],
  services: Service[],
  allowedTargetGroups: string[],
): TargetsByGroup {
  const servicesByName = new Map(services.map((s) => [s.serviceName, s]));
  const allowed = new Set(allowedTargetGroups);
  const byGroup: TargetsByGroup = new Map();

  for (const task of tasks) {
    const name = serviceNameOf(task);
    const service = name === undefined ? undefined : servicesByName.get(name);
    for (const lb of service?.loadBalancers ?? []) {
      const tg = lb.targetGroupArn;
      if (!tg || (allowed.size > 0 && !allowed.has(tg))) continue;
      const bindings = task.containers?.find((c) => c.name === lb.containerName)?.networkBindings ?? [];
      for (const binding of bindings) {
        if (binding.containerPort !== lb.containerPort || binding.hostPort === undefined) continue;
        addTarget(byGroup, tg, { Id: instanceId, Port: binding.hostPort });
      }
    }
  }
  return byGroup;
}

function addTarget(byGroup: TargetsByGroup, tg: string, target: TargetDescription): void {
  const targets = byGroup.get(tg) ?? [];
  // A container can expose the same port on IPv4 and IPv6 bindings; register each port once.
  if (!targets.some((t) => t.Port === target.Port)) targets.push(target);
  byGroup.set(tg, targets);
}

/**
 * One DeregisterTargets per target group. A failing group is logged and skipped so the others still drain.
 * Returns the groups that were deregistered (deregistering an absent target succeeds in ELBv2, so reruns are fine).
 */
export async function deregisterAll(
  elb: ElasticLoadBalancingV2Client,
  retry: Retry,
  byGroup: TargetsByGroup,
  log: Logger,
): Promise<TargetsByGroup> {
  const done: TargetsByGroup = new Map();
  await Promise.all(
    [...byGroup].map(async ([TargetGroupArn, Targets]) => {
      try {
        await retry(() => elb.send(new DeregisterTargetsCommand({ TargetGroupArn, Targets })));
        done.set(TargetGroupArn, Targets);
        log.info("deregistered targets", { targetGroupArn: TargetGroupArn, targets: Targets });
      } catch (err) {
        log.error("deregister failed, continuing with other target groups", {
          targetGroupArn: TargetGroupArn,
          ...describeError(err),
        });
      }
    }),
  );
  return done;
}

/**
 * Polls DescribeTargetHealth until every target is `unused` (Target.NotRegistered once deregistration
 * completes) or absent, or until stopAt. Returns how many targets were confirmed drained.
 */
export async function waitUntilDrained(
  elb: ElasticLoadBalancingV2Client,
  retry: Retry,
  clock: Clock,
  byGroup: TargetsByGroup,
  opts: { stopAt: number; pollIntervalMs: number },
  log: Logger,
): Promise<number> {
  const pending = new Map(byGroup);
  let drained = 0;
  for (;;) {
    await Promise.all(
      [...pending].map(async ([tg, targets]) => {
        const remaining = await stillDraining(elb, retry, tg, targets, log);
        if (remaining === undefined) {
          // Not waited for, and not confirmed either.
          pending.delete(tg);
          return;
        }
        drained += targets.length - remaining.length;
        if (remaining.length === 0) pending.delete(tg);
        else pending.set(tg, remaining);
      }),
    );
    if (pending.size === 0) return drained;
    const left = opts.stopAt - clock.now();
    if (left <= 0) {
      log.warn("targets still draining at stop point, stopping tasks anyway", {
        pending: Object.fromEntries(pending),
      });
      return drained;
    }
    await clock.sleep(Math.min(opts.pollIntervalMs, left));
  }
}

/** Targets of one group that are still registered/draining; undefined for a group we cannot describe (not waited for). */
async function stillDraining(
  elb: ElasticLoadBalancingV2Client,
  retry: Retry,
  TargetGroupArn: string,
  Targets: TargetDescription[],
  log: Logger,
): Promise<TargetDescription[] | undefined> {
  try {
    const out = await retry(() => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn, Targets })));
    return Targets.filter((target) => {
      const health = out.TargetHealthDescriptions?.find(
        (d) => d.Target?.Id === target.Id && d.Target?.Port === target.Port,
      )?.TargetHealth;
      // `unused` means the ALB sends it no traffic any more (normally reason Target.NotRegistered).
      return health !== undefined && health.State !== "unused";
    });
  } catch (err) {
    log.error("describe target health failed, not waiting for this target group", {
      targetGroupArn: TargetGroupArn,
      ...describeError(err),
    });
    return undefined;
  }
}
