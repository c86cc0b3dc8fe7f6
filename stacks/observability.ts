import { TerraformOutput } from "cdktf";
import { PlatformDashboard, type DashboardPool } from "../modules/observability/platform-dashboard";
import type { WebApplicationFirewall } from "../modules/traffic/web-application-firewall";
import type { EnvironmentConfig } from "./config";
import type { PlatformStack } from "./platform-stack";

/** What the dashboard can show that the stack itself does not build (yet). */
export interface DashboardExtras {
  readonly firewall?: WebApplicationFirewall;
  /** The on-demand fallback (lambdas/spot-fallback), when `spotFallback.enabled`. */
  readonly spotFallback?: { readonly functionName: string };
  /** The shipped deployment verification hook, when a service uses it. */
  readonly deploymentVerification?: { readonly functionName: string };
}

/**
 * The environment's dashboard, from the names of what the stack built (services, target groups,
 * pools, jobs, drainer, AMI watch), and its `dashboard_url` output.
 */
export function addPlatformDashboard(stack: PlatformStack, config: EnvironmentConfig, extras: DashboardExtras = {}): PlatformDashboard {
  const dashboard = new PlatformDashboard(stack, "dashboard", {
    dashboardName: stack.naming.name("platform"),
    region: config.region,
    clusterName: stack.compute.clusterName,
    loadBalancerArnSuffix: stack.loadBalancer.loadBalancerArnSuffix,
    services: config.services.map((service) => {
      const built = stack.services[service.name];
      if (!built) throw new Error(`dashboard: service "${service.name}" was not built`);
      return { name: service.name, serviceName: built.serviceName, targetGroupArnSuffix: built.targetGroupArnSuffix, alternateTargetGroupArnSuffix: built.alternateTargetGroupArnSuffix };
    }),
    pools: dashboardPools(stack, config),
    capacityProviderNames: stack.compute.capacityProviderNames && [stack.compute.capacityProviderNames.onDemand, stack.compute.capacityProviderNames.spot],
    jobs: Object.entries(stack.scheduledTasks).map(([name, job]) => ({
      name,
      ruleName: job.ruleName,
      deadLetterQueueName: job.deadLetterQueueName,
      stateMachineArn: job.stateMachineArn,
      failureRuleName: job.failureRuleName,
    })),
    webAclMetricName: extras.firewall?.webAclMetricName,
    drainer: stack.spotDrainer && {
      functionName: stack.spotDrainer.functionName,
      interruptionRuleName: stack.spotDrainer.interruptionRuleName,
      rebalanceRuleName: stack.spotDrainer.rebalanceRuleName,
    },
    amiWatch: stack.amiWatch && { functionName: stack.amiWatch.functionName, environment: stack.amiWatch.environment },
    spotFallback: extras.spotFallback,
    deploymentVerification: extras.deploymentVerification,
  });
  new TerraformOutput(stack, "dashboard_url", { description: "The environment's CloudWatch dashboard: services, capacity and Spot, drains, jobs", value: dashboard.dashboardUrl });
  return dashboard;
}

/** Every pool with how it buys instances: the ASGs by name, the Spot Fleet by request id. */
function dashboardPools(stack: PlatformStack, config: EnvironmentConfig): DashboardPool[] {
  const spot = config.capacity.spot;
  const spotPurchase =
    spot && (spot.onDemandBaseCapacity > 0 || spot.onDemandPercentageAboveBaseCapacity > 0)
      ? `Spot, on-demand base ${spot.onDemandBaseCapacity} + ${spot.onDemandPercentageAboveBaseCapacity}% above`
      : "Spot";
  const pools: DashboardPool[] = stack.compute.pools.map((pool) => ({
    name: pool.name,
    autoScalingGroupName: pool.autoScalingGroupName,
    spot: pool.name !== "on-demand",
    purchaseOption: pool.name === "on-demand" ? "On-Demand" : spotPurchase,
  }));
  if (stack.compute.spotFleetRequestId !== undefined) {
    pools.push({ name: "spot-fleet", spotFleetRequestId: stack.compute.spotFleetRequestId, spot: true, purchaseOption: "Spot, capacity units" });
  }
  return pools;
}
