/**
 * Placement rules that types cannot express: every task (service, job, daemon) must fit the instance
 * types of each pool it can land on, or it stays PROVISIONING while synth and apply succeed. Sizes
 * come from the bundled instance-type table (instance-types/, loaded on first use).
 */
import type { z } from "zod";
import type { EnvironmentConfig } from "./";
import { instanceTypeSpec } from "../../instance-types";

/** An instance type whose size the table knows. */
interface SizedType {
  readonly type: string;
  readonly vcpu: number;
  readonly memoryMiB: number;
}

/**
 * The share of installed memory the ECS agent registers for tasks: the kernel and platform keep the
 * rest (an m4.large's 8192 MiB registers as about 7985 MiB). Rounded down, so a fit here fits there.
 */
export const ECS_REGISTERED_MEMORY_SHARE = 0.94;
/** CPU units per vCPU, as ECS counts them. */
const CPU_UNITS_PER_VCPU = 1024;

type Ctx = z.RefinementCtx;
type PoolName = "onDemand" | "spot" | "spotFleet";

/** One group of instances and where it is configured. */
interface Pool {
  readonly name: PoolName;
  /** Config path of its instance types, for messages. */
  readonly field: string;
  readonly types: readonly SizedType[];
}

/** What an instance of a type offers tasks: CPU units and registered memory (MiB). */
export function taskCapacity(spec: SizedType): { readonly cpu: number; readonly memoryMiB: number } {
  return { cpu: spec.vcpu * CPU_UNITS_PER_VCPU, memoryMiB: Math.floor(spec.memoryMiB * ECS_REGISTERED_MEMORY_SHARE) };
}

/** The pools that can hold instances, with the types whose size the table knows (unknown types are refused by their own field). */
function poolsOf(capacity: EnvironmentConfig["capacity"]): Pool[] {
  const known = (types: readonly string[]) =>
    types.flatMap((type): SizedType[] => {
      const size = instanceTypeSpec(type)?.size;
      return size === undefined ? [] : [{ type, vcpu: size.vcpu, memoryMiB: size.memoryMiB }];
    });
  const pools: Pool[] = [];
  if (capacity.onDemand.maxSize > 0) pools.push({ name: "onDemand", field: "capacity.onDemand.instanceTypes", types: known(capacity.onDemand.instanceTypes) });
  if (capacity.mode === "capacity-providers" && capacity.spot && capacity.spot.maxSize > 0) {
    pools.push({ name: "spot", field: "capacity.spot.instanceTypes", types: known(capacity.spot.instanceTypes) });
  }
  if (capacity.mode === "spot-fleet" && capacity.spotFleet) {
    pools.push({ name: "spotFleet", field: "capacity.spotFleet.instanceTypes", types: known(capacity.spotFleet.instanceTypes.map((entry) => entry.type)) });
  }
  return pools.filter((pool) => pool.types.length > 0);
}

/** The pools a task with `capacityPool` can be placed in: capacity providers route it; without them any instance can take it. */
function landingPools(config: EnvironmentConfig, capacityPool: "default" | "on-demand" | "spot", pools: readonly Pool[]): Pool[] {
  if (config.capacity.mode === "spot-fleet") return [...pools];
  const strategy = config.capacity.strategy;
  const names = new Set<PoolName>(
    capacityPool === "on-demand"
      ? ["onDemand"]
      : capacityPool === "spot"
        ? ["spot"]
        : [...(strategy.onDemandBase > 0 || strategy.onDemandWeight > 0 ? (["onDemand"] as const) : []), ...(strategy.spotWeight > 0 ? (["spot"] as const) : [])],
  );
  return pools.filter((pool) => names.has(pool.name));
}

const smallestFirst = (a: SizedType, b: SizedType) => a.memoryMiB - b.memoryMiB || a.vcpu - b.vcpu;

/** A task's reservation and the fields that set it. */
interface Demand {
  readonly what: string;
  readonly path: readonly (string | number)[];
  readonly cpu: number;
  readonly cpuField: string;
  readonly memoryMiB: number;
  readonly memoryField: string;
  readonly capacityPool: "default" | "on-demand" | "spot";
}

/**
 * Refuses tasks that do not fit the smallest instance type of a pool they can land on (the ASG or
 * fleet may launch only that type, and the task then waits forever), counting the daemons every
 * instance runs first, and daemons that do not fit every instance type.
 */
export function checkTaskFit(config: EnvironmentConfig, ctx: Ctx): void {
  const pools = poolsOf(config.capacity);
  if (pools.length === 0) return;
  const daemons = config.services.filter((service) => service.kind === "daemon");
  const daemonCpu = daemons.reduce((sum, daemon) => sum + daemon.cpu, 0);
  const daemonMemory = daemons.reduce((sum, daemon) => sum + daemon.memoryReservation, 0);
  const daemonNote = daemons.length === 0 ? "" : ` after the daemons every instance runs (${daemons.map((daemon) => daemon.name).join(", ")}: ${daemonCpu} CPU units, ${daemonMemory} MiB)`;

  const demands: Demand[] = [];
  config.services.forEach((service, index) => {
    if (service.kind === "daemon") return;
    demands.push({
      what: `service "${service.name}"`,
      path: ["services", index],
      cpu: service.cpu,
      cpuField: "cpu",
      memoryMiB: service.memoryReservation,
      memoryField: "memoryReservation",
      capacityPool: service.capacityPool,
    });
  });
  config.scheduledTasks.forEach((job, index) => {
    // A job on a service's task definition reserves what the service does: checked there.
    if (job.service !== undefined) return;
    demands.push({ what: `job "${job.name}"`, path: ["scheduledTasks", index], cpu: job.cpu, cpuField: "cpu", memoryMiB: job.memory, memoryField: "memory", capacityPool: job.capacityPool });
  });

  // A type the daemons alone overfill is reported once, at the daemons.
  const daemonsFit = (spec: SizedType) => daemonCpu <= taskCapacity(spec).cpu && daemonMemory <= taskCapacity(spec).memoryMiB;
  for (const demand of demands) {
    for (const pool of landingPools(config, demand.capacityPool, pools)) {
      const tooSmall = pool.types.filter(daemonsFit).filter((spec) => {
        const offer = taskCapacity(spec);
        return demand.cpu > offer.cpu - daemonCpu || demand.memoryMiB > offer.memoryMiB - daemonMemory;
      });
      if (tooSmall.length === 0) continue;
      const fitsNone = tooSmall.length === pool.types.filter(daemonsFit).length;
      // Fitting none, the largest type says how far off it is; fitting some, the smallest says which to drop.
      const sorted = [...tooSmall].sort(smallestFirst);
      const reference = fitsNone ? sorted[sorted.length - 1] : sorted[0];
      const offer = taskCapacity(reference);
      const cpuShort = demand.cpu > offer.cpu - daemonCpu;
      const field = cpuShort ? demand.cpuField : demand.memoryField;
      const needs = cpuShort ? `${demand.cpu} CPU units (${demand.cpuField})` : `${demand.memoryMiB} MiB (${demand.memoryField})`;
      const offers = cpuShort
        ? `${offer.cpu - daemonCpu} CPU units (${reference.vcpu} vCPU)`
        : `${offer.memoryMiB - daemonMemory} MiB (${reference.memoryMiB} MiB installed, about ${Math.round(ECS_REGISTERED_MEMORY_SHARE * 100)} % registered by ECS)`;
      ctx.addIssue({
        code: "custom",
        path: [...demand.path, field],
        message:
          `${demand.what} needs ${needs}, but ${fitsNone ? "no instance type of" : "the smallest instance types of"} ${pool.field} ${fitsNone ? "offers" : `(${tooSmall.map((spec) => spec.type).join(", ")}) offer`} that: ${fitsNone ? `the largest, ${reference.type},` : reference.type} gives tasks ${offers}${daemonNote}. ` +
          (fitsNone
            ? `The task would wait for capacity forever: lower ${field} or list larger instance types in ${pool.field}`
            : `An instance of those types can never run it, and the group may launch only those: lower ${field} or remove them from ${pool.field}`),
      });
    }
  }

  daemons.forEach((daemon) => {
    const index = config.services.indexOf(daemon);
    for (const pool of pools) {
      const tooSmall = pool.types.filter((spec) => !daemonsFit(spec));
      if (tooSmall.length === 0) continue;
      ctx.addIssue({
        code: "custom",
        path: ["services", index, daemonMemory > taskCapacity(tooSmall[0]).memoryMiB ? "memoryReservation" : "cpu"],
        message: `daemon "${daemon.name}" runs on every instance, but the daemons together (${daemonCpu} CPU units, ${daemonMemory} MiB) do not fit ${tooSmall.map((spec) => spec.type).join(", ")} of ${pool.field}: lower the daemons' cpu or memoryReservation, or remove those types`,
      });
    }
  });

  // A hard limit above what any instance registers is no limit: the kernel kills the container first.
  config.services.forEach((service, index) => {
    const reachable = service.kind === "daemon" ? pools : landingPools(config, service.capacityPool, pools);
    const largest = Math.max(...reachable.flatMap((pool) => pool.types.map((spec) => taskCapacity(spec).memoryMiB)));
    if (reachable.length > 0 && service.memory > largest) {
      ctx.addIssue({
        code: "custom",
        path: ["services", index, "memory"],
        message: `service "${service.name}": memory ${service.memory} MiB is more than any instance it can run on registers (at most ${largest} MiB): lower memory, or list larger instance types`,
      });
    }
  });
}
