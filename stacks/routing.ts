/**
 * Config rules for how requests reach the web services: stable, unambiguous listener priorities,
 * and an HTTP-only environment that its load balancer's DNS name actually reaches. cdktf-free, so
 * config validation and tools that only read config stay fast.
 */
import { routingProblems, type RouteSpec } from "../modules/traffic/listener-routing";
import type { EnvironmentConfig } from "./config";
import { shiftsTraffic } from "./config/deployment";

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
      testRule: shiftsTraffic(service.deployment) && service.deployment.testTraffic !== undefined,
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
    // The route's own condition that is there (a web service has host headers or paths).
    const routeField = service.pathPatterns.length > 0 ? "pathPatterns" : "hostHeaders";
    return {
      path: ["services", index, problem.field === "priority" ? "listenerPriority" : routeField],
      message: `service "${service.name}": ${problem.message}`,
    };
  });
  issues.push(...certificateCoverageIssues(config));
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

/** Whether a certificate name (exact, or a `*.` wildcard for one label) covers a host header. */
function certificateCovers(certificateName: string, host: string): boolean {
  const name = certificateName.toLowerCase();
  const wanted = host.toLowerCase();
  if (name === wanted) return true;
  if (!name.startsWith("*.")) return false;
  const dot = wanted.indexOf(".");
  return dot > 0 && wanted.slice(dot + 1) === name.slice(2);
}

/**
 * With `loadBalancer.domain`, the platform requests the certificate, so it knows its names: a
 * host the rules serve that the certificate does not cover gets a TLS name mismatch in every client.
 */
function certificateCoverageIssues(config: RoutingConfig): RoutingIssue[] {
  const domain = config.loadBalancer.domain;
  if (domain === undefined) return [];
  const names = [domain.name, ...domain.subjectAlternativeNames];
  return config.services.flatMap((service, index) =>
    service.kind !== "web"
      ? []
      : service.hostHeaders.flatMap((host, hostIndex) =>
          names.some((name) => certificateCovers(name, host))
            ? []
            : [
                {
                  path: ["services", index, "hostHeaders", hostIndex],
                  message: `service "${service.name}": host "${host}" is not covered by the load balancer's certificate (${names.join(", ")}), so HTTPS clients would get a name mismatch: add it to loadBalancer.domain.subjectAlternativeNames`,
                },
              ],
        ),
  );
}

/**
 * The hosts to point at the load balancer in `loadBalancer.domain.hostedZoneId`: every web
 * service's exact hosts and leading `*.` wildcards (other patterns cannot be DNS names).
 */
export function aliasRecordNames(config: Pick<EnvironmentConfig, "services">): string[] {
  const names = config.services
    .filter((service) => service.kind === "web")
    .flatMap((service) => service.hostHeaders.map((host) => host.toLowerCase()))
    .filter((host) => /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host));
  return [...new Set(names)].sort();
}
