import { globMatches, routeMatches } from "../../modules/traffic/listener-routing";
import { referencedResourceAddress } from "./references";
import type { Synthesized } from "./synth";

/** What a listener does with a request. */
export type ListenerOutcome =
  | { readonly type: "forward"; readonly targetGroup: string; readonly priority?: number }
  | { readonly type: "fixed-response"; readonly statusCode: string }
  | { readonly type: "redirect"; readonly port: string; readonly protocol: string; readonly statusCode: string };

/** A request to one listener port of the load balancer. */
export interface AlbRequest {
  readonly port: number;
  readonly host: string;
  readonly path: string;
  /** Request headers (names case-insensitive). @default - none */
  readonly headers?: Readonly<Record<string, string>>;
}

type Resource = Record<string, any>;

function outcomeOf(action: Resource, priority?: number): ListenerOutcome {
  switch (action.type) {
    case "forward": {
      // A weighted forward sends (almost) everything to its heaviest group; as synthesized, 100 / 0.
      const groups = (action.forward?.target_group ?? []) as Resource[];
      const heaviest = groups.reduce<Resource | undefined>((best, group) => (best === undefined || group.weight > best.weight ? group : best), undefined);
      return { type: "forward", targetGroup: referencedResourceAddress(heaviest ? heaviest.arn : action.target_group_arn), priority };
    }
    case "fixed-response":
      return { type: "fixed-response", statusCode: String(action.fixed_response.status_code) };
    case "redirect":
      return { type: "redirect", port: String(action.redirect.port), protocol: String(action.redirect.protocol), statusCode: String(action.redirect.status_code) };
    default:
      throw new Error(`unsupported listener action ${String(action.type)}`);
  }
}

/**
 * Evaluates the synthesized listener and its rules the way ELBv2 does: rules by ascending
 * priority, a rule matches when every condition matches one of its values (host header
 * case-insensitive, path case-sensitive, `*` and `?` wildcards), the first match's action wins,
 * and the listener's default action takes the rest.
 */
export function routeRequest(json: Synthesized, request: AlbRequest): ListenerOutcome {
  const listeners = Object.entries(json.resource?.aws_lb_listener ?? {}).filter(([, listener]) => (listener as Resource).port === request.port);
  if (listeners.length !== 1) throw new Error(`expected one listener on port ${request.port}, found ${listeners.length}`);
  const [listenerId, listener] = listeners[0] as [string, Resource];
  const rules = (Object.values(json.resource?.aws_lb_listener_rule ?? {}) as Resource[])
    .filter((rule) => referencedResourceAddress(rule.listener_arn) === `aws_lb_listener.${listenerId}`)
    .sort((a, b) => Number(a.priority) - Number(b.priority));
  for (const rule of rules) {
    const conditions = rule.condition as Resource[];
    const known = conditions.every((condition) => Object.keys(condition).every((key) => key === "host_header" || key === "path_pattern" || key === "http_header"));
    if (!known) throw new Error(`unsupported rule condition in ${JSON.stringify(conditions)}`);
    const hostHeaders = conditions.flatMap((condition) => (condition.host_header?.values as string[] | undefined) ?? []);
    const pathPatterns = conditions.flatMap((condition) => (condition.path_pattern?.values as string[] | undefined) ?? []);
    const headersMatch = conditions
      .filter((condition) => condition.http_header !== undefined)
      .every((condition) => {
        const name = String(condition.http_header.http_header_name).toLowerCase();
        const value = Object.entries(request.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
        return value !== undefined && (condition.http_header.values as string[]).some((pattern) => globMatches(pattern, value, true));
      });
    if (headersMatch && routeMatches({ hostHeaders, pathPatterns }, request)) return outcomeOf(rule.action[0], Number(rule.priority));
  }
  return outcomeOf(listener.default_action[0]);
}

/** The target group (as `aws_lb_target_group.<id>`) the ECS service named `serviceName` registers with. */
export function serviceTargetGroup(json: Synthesized, serviceName: string): string {
  const services = (Object.values(json.resource?.aws_ecs_service ?? {}) as Resource[]).filter((service) => service.name === serviceName);
  if (services.length !== 1) throw new Error(`expected one ECS service ${serviceName}, found ${services.length}`);
  return referencedResourceAddress(services[0].load_balancer[0].target_group_arn);
}
