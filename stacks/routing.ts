/**
 * Config rules for how requests reach the web services: stable, unambiguous listener priorities,
 * and an HTTP-only environment that its load balancer's DNS name actually reaches. cdktf-free, so
 * config validation and tools that only read config stay fast.
 */
import { routingProblems, type RouteSpec } from "../modules/listener-routing";
import type { EnvironmentConfig } from "./config";

/** One config problem: the field path and what is wrong there. */
export interface RoutingIssue {
  readonly path: Array<string | number>;
  readonly message: string;
}

type RoutingConfig = Pick<EnvironmentConfig, "services" | "loadBalancer">;

/** The listener routes of the web services, in config order. */
export function webRoutes(config: Pick<EnvironmentConfig, "services">): RouteSpec[] {
  return config.services
    .filter((service) => service.kind === "web")
    .map((service) => ({
      name: service.name,
      hostHeaders: service.hostHeaders,
      pathPatterns: service.pathPatterns,
      priority: service.listenerPriority,
    }));
}

/** Whether clients reach the environment only by the load balancer's own DNS name (no domain, no certificate). */
export function servesOnLoadBalancerDnsName(config: Pick<EnvironmentConfig, "loadBalancer">): boolean {
  return config.loadBalancer.domain === undefined && config.loadBalancer.certificateArn === undefined;
}

/** Every routing problem of an environment, with the field to fix. */
export function routingIssues(config: RoutingConfig): RoutingIssue[] {
  const webIndexes = config.services.flatMap((service, index) => (service.kind === "web" ? [index] : []));
  const issues: RoutingIssue[] = routingProblems(webRoutes(config)).map((problem) => {
    const index = webIndexes[problem.index];
    const service = config.services[index];
    return {
      path: ["services", index, problem.field === "priority" ? "listenerPriority" : "pathPatterns"],
      message: `service "${service.name}": ${problem.message}`,
    };
  });
  // Nothing resolves a made-up host to the load balancer: without a domain, the only name clients
  // have is the ALB's DNS name, which only a rule without a host condition matches.
  const web = webIndexes.map((index) => config.services[index]);
  if (servesOnLoadBalancerDnsName(config) && web.length > 0 && web.every((service) => service.hostHeaders.length > 0)) {
    issues.push({
      path: ["services", webIndexes[0], "hostHeaders"],
      message:
        `the environment has no loadBalancer.domain or certificateArn, so clients reach it by the load balancer's DNS name, ` +
        `but every web service requires a Host header (${web.map((service) => `${service.name}: ${service.hostHeaders.join(", ")}`).join("; ")}) ` +
        `and such requests get the 404 default: route one service by pathPatterns alone (e.g. ["/*"]), or configure a domain`,
    });
  }
  return issues;
}
