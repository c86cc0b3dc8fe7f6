/**
 * Config rules for progressive delivery that span sections: the capacity a traffic-shifting deployment
 * needs (a full second set of tasks), the capacity mode that can provide it, and the network that awsvpc
 * tasks on EC2 need. cdktf-free.
 */
import type { z } from "zod";
import type { EnvironmentConfig } from "./";
import { shiftsTraffic } from "./deployment";
import { loadRegionDataset } from "../spot-advice/dataset";

type Ctx = z.RefinementCtx;
type Service = EnvironmentConfig["services"][number];

/** CPU units and MiB of memory. */
interface Resources {
  readonly cpu: number;
  readonly memory: number;
}

/** The most tasks a web service runs outside deployments: its autoscaling ceiling, or its desired count. */
function steadyTasks(service: Service): number {
  return service.autoscaling?.maxCount ?? service.desiredCount;
}

/**
 * What the cluster must hold at worst: every web service at its task ceiling, twice for those whose
 * deployments start a second full set (all of them deploying at once, the case a release of every
 * service produces).
 */
export function peakTaskReservation(services: readonly Service[]): Resources {
  return services
    .filter((service) => service.kind === "web")
    .reduce<Resources>(
      (sum, service) => {
        const tasks = steadyTasks(service) * (shiftsTraffic(service.deployment) ? 2 : 1);
        return { cpu: sum.cpu + tasks * service.cpu, memory: sum.memory + tasks * service.memoryReservation };
      },
      { cpu: 0, memory: 0 },
    );
}

/**
 * The headroom rule: what the capacity providers can place at their ASGs' maxSize, each instance counted as
 * the smallest type of its group, filled to managed scaling's targetCapacityPercent, less what the daemons
 * reserve on every instance. Undefined when the Spot data does not know one of the types.
 */
export function placeableCapacity(config: EnvironmentConfig): Resources | undefined {
  const capacity = config.capacity;
  const dataset = loadRegionDataset(config.region);
  const groups = [capacity.onDemand, ...(capacity.spot ? [capacity.spot] : [])];
  const daemons = config.services.filter((service) => service.kind === "daemon");
  const perInstanceDaemons = daemons.reduce((sum, daemon) => ({ cpu: sum.cpu + daemon.cpu, memory: sum.memory + daemon.memoryReservation }), { cpu: 0, memory: 0 });
  const fill = capacity.managedScaling.targetCapacityPercent / 100;
  let total: Resources = { cpu: 0, memory: 0 };
  for (const group of groups) {
    const specs = group.instanceTypes.map((type) => dataset.spec(type));
    if (specs.some((spec) => spec === undefined)) return undefined;
    const cpu = Math.min(...specs.map((spec) => spec!.vcpu * 1024)) - perInstanceDaemons.cpu;
    const memory = Math.min(...specs.map((spec) => spec!.memoryGiB * 1024)) - perInstanceDaemons.memory;
    total = { cpu: total.cpu + group.maxSize * cpu * fill, memory: total.memory + group.maxSize * memory * fill };
  }
  return { cpu: Math.floor(total.cpu), memory: Math.floor(total.memory) };
}

export function checkDeploymentAcrossSections(config: EnvironmentConfig, ctx: Ctx): void {
  const shifting = config.services.flatMap((service, index) => (service.kind === "web" && shiftsTraffic(service.deployment) ? [{ service, index }] : []));
  const assignsPublicIp = config.network.mode === "existing" ? config.network.assignPublicIp : config.network.natGateways === "none";
  config.services.forEach((service, index) => {
    if (service.networkMode === "awsvpc" && assignsPublicIp) {
      ctx.addIssue({
        code: "custom",
        path: ["services", index, "networkMode"],
        message: `service "${service.name}": awsvpc tasks on EC2 get no public IP, and the instance subnets reach the internet only through public IPs (${config.network.mode === "create" ? 'network.natGateways "none"' : "network.assignPublicIp"}), so the tasks could not pull images or reach AWS APIs: use private subnets with NAT, or networkMode "bridge"`,
      });
    }
  });
  if (shifting.length === 0) return;
  if (config.capacity.mode === "spot-fleet") {
    for (const { service, index } of shifting) {
      ctx.addIssue({
        code: "custom",
        path: ["services", index, "deployment", "strategy"],
        message: `service "${service.name}": "${service.deployment.strategy}" starts a full second set of tasks, which only capacity providers' managed scaling adds instances for; spot-fleet mode scales on reservation after the tasks fail to place. Use capacity.mode "capacity-providers", or strategy "rolling"`,
      });
    }
    return;
  }
  const available = placeableCapacity(config);
  if (available === undefined) return;
  const needed = peakTaskReservation(config.services);
  const names = shifting.map(({ service }) => service.name).join(", ");
  for (const [resource, unit] of [["memory", "MiB"], ["cpu", "CPU units"]] as const) {
    if (needed[resource] > available[resource]) {
      ctx.addIssue({
        code: "custom",
        path: ["capacity", "spot", "maxSize"],
        message: `the services need ${needed[resource]} ${unit} of ${resource} at their task ceilings with a second full set for each traffic-shifting service (${names}), but onDemand.maxSize + spot.maxSize instances of the smallest listed types at managedScaling.targetCapacityPercent hold ${available[resource]}: raise the ASGs' maxSize, lower autoscaling.maxCount, or deploy those services "rolling"`,
      });
    }
  }
}
