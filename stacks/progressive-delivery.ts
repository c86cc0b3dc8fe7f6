/**
 * Composes what the services' config asks of their networking and deployments: a security group per awsvpc
 * service, the traffic-shifting settings of canary, linear and blue/green services, and the shipped
 * verification hook (one function for the environment, made when a service uses it).
 */
import { Construct } from "constructs";
import type { EcsServiceProps } from "../modules/services/ecs-service";
import type { LifecycleHook } from "../modules/progressive-delivery/deployment-configuration";
import type { TrafficShiftingProps } from "../modules/progressive-delivery/traffic-shifting";
import { TaskSecurityGroup } from "../modules/network/task-security-group";
import { VerificationHook } from "../modules/progressive-delivery/verification-hook";
import { NAME_LIMITS, type Naming } from "../modules/platform/naming";
import { sampleRequest, testRulePriority } from "../modules/traffic/listener-routing";
import { bakeMinutes, canarySteps, linearSteps, shiftsTraffic } from "./config/deployment";
import type { EnvironmentConfig, ServiceConfig } from "./config";

export interface ServiceDeliveryProps {
  readonly naming: Naming;
  readonly vpcId: string;
  /** Where awsvpc tasks get their network interfaces: the instance subnets. */
  readonly taskSubnetIds: string[];
  readonly loadBalancer: { readonly securityGroupId: string; readonly dnsName: string; readonly httpsEnabled: boolean };
  /** What the environment's alarms notify. */
  readonly alarmActions: readonly string[];
}

/** The ECS strategy names of the config's traffic-shifting strategies. */
const ECS_STRATEGY = { canary: "CANARY", linear: "LINEAR", "blue-green": "BLUE_GREEN" } as const;

export class ServiceDelivery extends Construct {
  private hookFunction?: VerificationHook;

  /** The shipped verification hook, once a service uses it. */
  get verificationHook(): VerificationHook | undefined {
    return this.hookFunction;
  }

  constructor(
    scope: Construct,
    id: string,
    private readonly config: EnvironmentConfig,
    private readonly props: ServiceDeliveryProps,
  ) {
    super(scope, id);
  }

  /** Whether an environment needs any of this: some service runs awsvpc tasks. */
  static needed(config: EnvironmentConfig): boolean {
    return config.services.some((service) => service.networkMode === "awsvpc");
  }

  /** The EcsService props that follow from a web service's networkMode and deployment. */
  serviceProps(service: ServiceConfig, priority: number): Pick<EcsServiceProps, "taskNetwork" | "trafficShifting"> {
    if (service.networkMode !== "awsvpc") return {};
    const naming = this.props.naming;
    const securityGroup = new TaskSecurityGroup(this, `${service.name}-tasks`, {
      namePrefix: `${naming.name(`${service.name}-tasks`)}-`,
      vpcId: this.props.vpcId,
      containerPort: service.containerPort as number,
      loadBalancerSecurityGroupId: this.props.loadBalancer.securityGroupId,
    });
    const taskNetwork = { subnetIds: this.props.taskSubnetIds, securityGroupIds: [securityGroup.securityGroupId] };
    const deployment = service.deployment;
    if (!shiftsTraffic(deployment)) return { taskNetwork };
    const hooks: LifecycleHook[] = deployment.hooks.map((hook) => ({ functionArn: hook.functionArn, stages: hook.stages, details: hook.details }));
    if (deployment.verify && deployment.testTraffic) {
      const request = sampleRequest(service, this.props.loadBalancer.dnsName);
      hooks.unshift({
        functionArn: this.hook().functionArn,
        stages: ["POST_TEST_TRAFFIC_SHIFT"],
        details: {
          loadBalancerDnsName: this.props.loadBalancer.dnsName,
          host: request.host,
          path: deployment.verify.path,
          https: this.props.loadBalancer.httpsEnabled,
          header: deployment.testTraffic.header,
          value: deployment.testTraffic.value,
          expectedStatus: deployment.verify.expectedStatus,
          attempts: deployment.verify.attempts,
          intervalSeconds: deployment.verify.intervalSeconds,
        },
      });
    }
    const trafficShifting: TrafficShiftingProps = {
      strategy: ECS_STRATEGY[deployment.strategy],
      bakeMinutes: bakeMinutes(deployment),
      canary: deployment.strategy === "canary" ? canarySteps(deployment) : undefined,
      linear: deployment.strategy === "linear" ? linearSteps(deployment) : undefined,
      infrastructureRoleName: naming.name(`${service.name}-ecs-lb`, NAME_LIMITS.role),
      hookRoleName: naming.name(`${service.name}-ecs-hooks`, NAME_LIMITS.role),
      testTraffic: deployment.testTraffic && { ...deployment.testTraffic, priority: testRulePriority(priority) },
      hooks,
    };
    return { taskNetwork, trafficShifting };
  }

  /** The shipped verification hook, made on first use. */
  private hook(): VerificationHook {
    const verifying = this.config.services.filter((service) => shiftsTraffic(service.deployment) && service.deployment.verify !== undefined).length;
    this.hookFunction ??= new VerificationHook(this, "verification-hook", {
      functionName: this.props.naming.name("deploy-verify", NAME_LIMITS.lambda),
      logRetentionDays: this.config.logs.retentionDays,
      tracingMode: this.config.lambdas.tracingMode,
      // Every verifying service may deploy at once (a release of all of them).
      concurrency: Math.max(2, verifying),
      failureQueueName: this.props.naming.name("deploy-verify-failures", NAME_LIMITS.sqsQueue),
      alarmActions: this.props.alarmActions,
    });
    return this.hookFunction;
  }
}
