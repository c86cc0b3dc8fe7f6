import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { capacityProviderStrategy, type CapacityPool, type CapacityProviderStrategyItem, type DefaultStrategySettings } from "./capacity-strategy";

/** One ASG-backed capacity provider. */
export interface CapacityProviderPool {
  /** Provider name; may not start with `aws`, `ecs` or `fargate`. */
  readonly name: string;
  /** The ASG's ARN (a name makes the provider drift and be replaced). */
  readonly autoScalingGroupArn: string;
}

/** ECS managed scaling of the ASGs (CapacityProviderReservation metric). */
export interface ManagedScalingSettings {
  /** Target cluster utilization in percent; below 100 keeps headroom for replacements during Spot draining. */
  readonly targetCapacityPercent: number;
  readonly minimumScalingStepSize: number;
  readonly maximumScalingStepSize: number;
  readonly instanceWarmupPeriodSeconds: number;
}

export type { CapacityPool, CapacityProviderStrategyItem, DefaultStrategySettings } from "./capacity-strategy";

export interface CapacityProvidersProps {
  readonly clusterName: string;
  readonly onDemand: CapacityProviderPool;
  readonly spot: CapacityProviderPool;
  readonly managedScaling: ManagedScalingSettings;
  readonly defaultStrategy: DefaultStrategySettings;
  /**
   * What the cluster association must wait for, at least the cluster itself (its name is passed as a literal).
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The on-demand and Spot capacity providers (managed scaling, managed termination protection,
 * managed draining) and the cluster's single `aws_ecs_cluster_capacity_providers` with the default
 * strategy.
 *
 * Teardown order, by construction: services depend on `association` (Compute exposes it as
 * `capacityReady`), the association references the providers, the providers reference the ASG
 * ARNs. Destroy therefore removes services, then the association, then the providers, then the
 * ASGs (which `force_delete`), and never waits on protected instances of a provider still in use.
 */
export class CapacityProviders extends Construct {
  public readonly onDemandName: string;
  public readonly spotName: string;
  public readonly association: EcsClusterCapacityProviders;
  private readonly defaultStrategy: DefaultStrategySettings;

  constructor(scope: Construct, id: string, props: CapacityProvidersProps) {
    super(scope, id);
    for (const pool of [props.onDemand, props.spot]) {
      if (/^(aws|ecs|fargate)/i.test(pool.name)) throw new Error(`capacity provider name "${pool.name}" may not start with aws, ecs or fargate`);
    }
    if (props.defaultStrategy.onDemandWeight === 0 && props.defaultStrategy.spotWeight === 0) {
      throw new Error("defaultStrategy: onDemandWeight and spotWeight cannot both be 0");
    }
    const provider = (key: string, pool: CapacityProviderPool) =>
      new EcsCapacityProvider(this, key, {
        name: pool.name,
        autoScalingGroupProvider: {
          autoScalingGroupArn: pool.autoScalingGroupArn,
          managedTerminationProtection: "ENABLED",
          // Covers instance refresh, capacity rebalance and scale-in of busy instances; the agent's Spot draining covers the 2-minute warning.
          managedDraining: "ENABLED",
          managedScaling: {
            status: "ENABLED",
            targetCapacity: props.managedScaling.targetCapacityPercent,
            minimumScalingStepSize: props.managedScaling.minimumScalingStepSize,
            maximumScalingStepSize: props.managedScaling.maximumScalingStepSize,
            instanceWarmupPeriod: props.managedScaling.instanceWarmupPeriodSeconds,
          },
        },
      });
    const onDemand = provider("on-demand", props.onDemand);
    const spot = provider("spot", props.spot);
    this.onDemandName = onDemand.name;
    this.spotName = spot.name;
    this.defaultStrategy = props.defaultStrategy;
    this.association = new EcsClusterCapacityProviders(this, "association", {
      clusterName: props.clusterName,
      capacityProviders: [this.onDemandName, this.spotName],
      defaultCapacityProviderStrategy: this.strategy("default"),
      dependsOn: props.dependsOn,
    });
  }

  /** The strategy for a pool: the default mix (base on on-demand, then weights), or one provider alone. */
  strategy(pool: CapacityPool): CapacityProviderStrategyItem[] {
    return capacityProviderStrategy({ onDemand: this.onDemandName, spot: this.spotName }, this.defaultStrategy, pool);
  }
}
