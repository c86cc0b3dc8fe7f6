import type { LoadBalancer, Service, Task } from "@aws-sdk/client-ecs";
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

/**
 * Target group ARN → the targets of this instance's tasks in it: instance id + dynamic host port for bridge
 * tasks (`instance` groups), task ENI IPv4 + container port for awsvpc tasks (`ip` groups).
 */
export type TargetsByGroup = Map<string, TargetDescription[]>;

const SERVICE_GROUP_PREFIX = "service:";
const TASK_ENI = "ElasticNetworkInterface";

/** Service name from a task's group ("service:<name>"); undefined for standalone tasks. */
export function serviceNameOf(task: Task): string | undefined {
  return task.group?.startsWith(SERVICE_GROUP_PREFIX) ? task.group.slice(SERVICE_GROUP_PREFIX.length) : undefined;
}

/**
 * A load balancer entry's target groups: the primary and, for ECS-managed traffic shifting, the alternate. ECS
 * registers each deployment's new revision in the group not serving production and swaps them, so a task may sit
 * in either.
 */
export function targetGroupsOf(lb: LoadBalancer): string[] {
  return [lb.targetGroupArn, lb.advancedConfiguration?.alternateTargetGroupArn].filter((arn): arn is string => arn !== undefined);
}

/**
 * The private IPv4 address of an awsvpc task's network interface (its target id in an `ip` group); undefined
 * for bridge and host tasks, which have no interface of their own, and before the interface is attached.
 */
export function taskIpv4Address(task: Task): string | undefined {
  const eni = task.attachments?.find((attachment) => attachment.type === TASK_ENI);
  const fromAttachment = eni?.details?.find((detail) => detail.name === "privateIPv4Address")?.value;
  return fromAttachment ?? task.containers?.flatMap((c) => c.networkInterfaces ?? []).find((ni) => ni.privateIpv4Address)?.privateIpv4Address;
}

/** The ids this instance's tasks may be registered under: the instance itself and its awsvpc tasks' addresses. */
export function targetIdsOf(instanceId: string, tasks: Task[]): Set<string> {
  return new Set([instanceId, ...tasks.flatMap((task) => taskIpv4Address(task) ?? [])]);
}

/**
 * Maps service tasks to their target-group registrations, in every group of each load balancer entry (deregistering
 * a target a group does not hold succeeds, and reads as `unused` at once). Bridge mode registers the instance with
 * the host port Docker picked, read from the task's network bindings for the load-balanced container; awsvpc mode
 * registers the task's own address with the container port, and has no bindings.
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
    const address = taskIpv4Address(task);
    for (const lb of service?.loadBalancers ?? []) {
      const targets = address !== undefined ? ipTargets(address, lb) : instanceTargets(instanceId, task, lb);
      for (const tg of targetGroupsOf(lb)) {
        if (allowed.size > 0 && !allowed.has(tg)) continue;
        for (const target of targets) addTarget(byGroup, tg, target);
      }
    }
  }
  return byGroup;
}

function ipTargets(address: string, lb: LoadBalancer): TargetDescription[] {
  return lb.containerPort === undefined ? [] : [{ Id: address, Port: lb.containerPort }];
}

function instanceTargets(instanceId: string, task: Task, lb: LoadBalancer): TargetDescription[] {
  const bindings = task.containers?.find((c) => c.name === lb.containerName)?.networkBindings ?? [];
  return bindings.flatMap((binding) =>
    binding.containerPort === lb.containerPort && binding.hostPort !== undefined ? [{ Id: instanceId, Port: binding.hostPort }] : [],
  );
}

function addTarget(byGroup: TargetsByGroup, tg: string, target: TargetDescription): void {
  const targets = byGroup.get(tg) ?? [];
  // A container can expose the same port on IPv4 and IPv6 bindings; register each target once.
  if (!targets.some((t) => t.Id === target.Id && t.Port === target.Port)) targets.push(target);
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
