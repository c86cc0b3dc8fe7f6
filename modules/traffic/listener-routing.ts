/**
 * How the load balancer's listener picks a service: rule priorities that stay put when services
 * come and go, and the ALB's own matching (host-header and path-pattern globs) to check routes
 * against each other. Pure functions without cdktf, so config validation can use them.
 */
import { createHash } from "node:crypto";

/** What decides a listener rule's place in the evaluation order. */
export interface RouteSpec {
  readonly name: string;
  readonly hostHeaders: readonly string[];
  readonly pathPatterns: readonly string[];
  /**
   * An explicit priority; otherwise one is derived from the route's specificity band and name.
   * @default - derived (see `listenerRulePriorities`)
   */
  readonly priority?: number;
  /**
   * Whether the route also has a test rule (traffic-shifting deployments): its conditions plus a header, at
   * `testRulePriority` (just before the route's own rule, so nothing can come between them).
   * @default false
   */
  readonly testRule?: boolean;
}

/** ELBv2 listener rule priorities. */
export const MIN_RULE_PRIORITY = 1;
export const MAX_RULE_PRIORITY = 50000;

/** Derived priorities start here; 1-9999 stay free for explicit priorities and hand-made rules. */
const FIRST_BAND_START = 10000;
const BAND_WIDTH = 8000;

/**
 * Specificity bands, most specific first (lower priority numbers are evaluated first): host and
 * path, wildcard host and path, path only, exact host only, wildcard host only.
 */
export const SPECIFICITY_BANDS = [
  "host and path",
  "wildcard host and path",
  "path only",
  "exact host only",
  "wildcard host only",
] as const;

const hasWildcard = (pattern: string): boolean => /[*?]/.test(pattern);

/** Index into SPECIFICITY_BANDS. */
export function specificityBand(route: RouteSpec): number {
  const wildcardHost = route.hostHeaders.some(hasWildcard);
  if (route.pathPatterns.length > 0) {
    if (route.hostHeaders.length === 0) return 2;
    return wildcardHost ? 1 : 0;
  }
  return wildcardHost ? 4 : 3;
}

/** The priority range of a band, inclusive. */
export function bandRange(band: number): { readonly from: number; readonly to: number } {
  const from = FIRST_BAND_START + band * BAND_WIDTH;
  return { from, to: from + BAND_WIDTH - 1 };
}

/**
 * The derived priority of a route: its band's start plus a stable hash of its name. It depends on
 * nothing but the route itself, so adding or removing another service never moves it (ELBv2
 * refuses two rules with one priority while Terraform updates them in parallel: PriorityInUse).
 */
export function derivedPriority(route: RouteSpec): number {
  const hash = createHash("sha256").update(route.name).digest().readUInt32BE(0);
  return bandRange(specificityBand(route)).from + (hash % BAND_WIDTH);
}

/** The route's priority: explicit, or derived. */
export function routePriority(route: RouteSpec): number {
  return route.priority ?? derivedPriority(route);
}

/**
 * The test rule's priority: one before the route's own. Its conditions are the route's plus a header, so a
 * rule that comes earlier and matches its requests matches them without the header too: it already shadows
 * the route itself. No existing priority moves.
 */
export function testRulePriority(routePriority: number): number {
  return routePriority - 1;
}

/** One thing wrong with a set of routes, naming the route it is about. */
export interface RoutingProblem {
  /** Index of the route in the list given. */
  readonly index: number;
  /** `priority` when moving or setting the priority fixes it, `routes` when the route itself must change. */
  readonly field: "priority" | "routes";
  readonly message: string;
}

/**
 * What would make routing depend on chance or leave a service unreachable: two rules with one
 * priority, two overlapping routes in one band whose order only the name hash decides, and a route
 * whose every request an earlier rule matches (a catch-all, a wildcard host, an explicit priority).
 */
export function routingProblems(routes: readonly RouteSpec[]): RoutingProblem[] {
  const problems: RoutingProblem[] = [];
  const priorities = routes.map(routePriority);
  routes.forEach((route, index) => {
    const priority = priorities[index];
    if (!Number.isInteger(priority) || priority < MIN_RULE_PRIORITY || priority > MAX_RULE_PRIORITY) {
      problems.push({ index, field: "priority", message: `listener priority ${priority} is outside ${MIN_RULE_PRIORITY}-${MAX_RULE_PRIORITY}` });
    }
    for (let other = 0; other < index; other++) {
      const otherRoute = routes[other];
      if (priorities[other] === priority) {
        const fix =
          route.priority === undefined && otherRoute.priority === undefined
            ? " (the name hashes collide): set listenerPriority on one of them"
            : route.priority !== undefined && otherRoute.priority !== undefined
              ? `: give one of them another listenerPriority (both set ${priority})`
              : `: give service "${route.priority !== undefined ? route.name : otherRoute.name}" another listenerPriority (the other's ${priority} is derived)`;
        problems.push({ index, field: "priority", message: `listener priority ${priority} is also service "${otherRoute.name}"'s${fix}` });
      } else if (
        route.priority === undefined &&
        otherRoute.priority === undefined &&
        specificityBand(route) === specificityBand(otherRoute) &&
        routesOverlap(route, otherRoute)
      ) {
        problems.push({
          index,
          field: "priority",
          message: `matches some of the same requests as service "${otherRoute.name}" (both ${SPECIFICITY_BANDS[specificityBand(route)]}), so which one wins would depend on a name hash: set listenerPriority on one of them to order them`,
        });
      }
    }
  });
  routes.forEach((route, index) => {
    if (!route.testRule) return;
    const test = testRulePriority(priorities[index]);
    if (test < MIN_RULE_PRIORITY) {
      problems.push({ index, field: "priority", message: `listener priority ${priorities[index]} leaves no room for the test rule, which takes the priority before it: set listenerPriority to 2 or more` });
      return;
    }
    routes.forEach((other, otherIndex) => {
      const taken = priorities[otherIndex] === test || (other.testRule === true && otherIndex !== index && testRulePriority(priorities[otherIndex]) === test);
      if (taken) {
        problems.push({
          index,
          field: "priority",
          message: `the test rule takes listener priority ${test} (the one before the service's ${priorities[index]}), which is also service "${other.name}"'s${priorities[otherIndex] === test ? "" : " test rule's"}: set listenerPriority on one of them`,
        });
      }
    });
  });
  routes.forEach((route, index) => {
    // The first earlier rule that matches every request this one would get hides it.
    const hiding = routes
      .map((earlier, earlierIndex) => ({ earlier, priority: priorities[earlierIndex] }))
      .filter(({ earlier, priority }) => earlier !== route && priority < priorities[index] && routeCovers(earlier, route))
      .sort((a, b) => a.priority - b.priority)[0];
    if (hiding === undefined) return;
    const { earlier, priority } = hiding;
    const what = matchesEveryRequest(earlier) ? "matches every request" : "matches every request this one would get";
    const own = route.priority === undefined ? "a listenerPriority" : `a listenerPriority (now ${route.priority})`;
    problems.push({
      index,
      field: route.priority === undefined ? "routes" : "priority",
      message: `is never reached: service "${earlier.name}" (priority ${priority}${earlier.priority === undefined ? ", derived" : ""}) comes first and ${what}; narrow "${earlier.name}"'s hostHeaders or pathPatterns, or give this service ${own} below ${priority}`,
    });
  });
  return problems;
}

/**
 * Whether every request `inner` matches also matches `outer` (so `outer`, evaluated first, takes
 * them all). A missing condition matches everything: any host, any path (paths start with `/`).
 */
export function routeCovers(outer: RouteSpec, inner: RouteSpec): boolean {
  const covers = (outers: readonly string[], inners: readonly string[], everything: string, caseInsensitive: boolean): boolean => {
    if (outers.length === 0) return true;
    const wanted = inners.length === 0 ? [everything] : inners;
    return wanted.every((pattern) => outers.some((candidate) => globCovers(candidate, pattern, caseInsensitive)));
  };
  return covers(outer.hostHeaders, inner.hostHeaders, "*", true) && covers(outer.pathPatterns, inner.pathPatterns, "/*", false);
}

/**
 * Whether every value glob `inner` matches, glob `outer` matches too. Sound: `*` in outer takes any
 * run of inner's tokens, `?` one literal or `?`, a literal only the same literal.
 */
export function globCovers(outer: string, inner: string, caseInsensitive = false): boolean {
  const o = caseInsensitive ? outer.toLowerCase() : outer;
  const i = caseInsensitive ? inner.toLowerCase() : inner;
  // reachable[j]: outer's prefix so far can stand for inner's first j tokens. Two rows, reused: the check runs
  // for every pair of routes of an environment, on every synth.
  let reachable = new Uint8Array(i.length + 1);
  let next = new Uint8Array(i.length + 1);
  reachable[0] = 1;
  for (const token of o) {
    next.fill(0);
    for (let j = 0; j <= i.length; j++) {
      if (token === "*") next[j] = reachable[j] || (j > 0 ? next[j - 1] : 0);
      else if (j > 0 && reachable[j - 1]) next[j] = (token === "?" ? i[j - 1] !== "*" : token === i[j - 1]) ? 1 : 0;
    }
    [reachable, next] = [next, reachable];
  }
  return reachable[i.length] === 1;
}

/**
 * Listener rule priorities by route name (lower is evaluated first). Throws on the problems
 * `routingProblems` reports; config validation reports them with field paths first.
 */
export function listenerRulePriorities(routes: readonly RouteSpec[]): Map<string, number> {
  const problems = routingProblems(routes);
  if (problems.length > 0) {
    throw new Error(`listener routes: ${problems.map((problem) => `${routes[problem.index].name}: ${problem.message}`).join("; ")}`);
  }
  return new Map(routes.map((route) => [route.name, routePriority(route)]));
}

// ---- ALB matching -------------------------------------------------------------------------------

/**
 * A glob in the ALB's dialect: `*` matches any run of characters (also `/`), `?` exactly one.
 * Host headers compare case-insensitively, paths case-sensitively.
 */
export function globMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  // reachable[j]: the pattern prefix so far can consume exactly v[0..j).
  let reachable = Array.from({ length: v.length + 1 }, (_, j) => j === 0);
  for (const token of p) {
    const next = Array.from({ length: v.length + 1 }, () => false);
    for (let j = 0; j <= v.length; j++) {
      if (token === "*") next[j] = reachable[j] || (j > 0 && next[j - 1]);
      else if (j > 0 && reachable[j - 1] && (token === "?" || token === v[j - 1])) next[j] = true;
    }
    reachable = next;
  }
  return reachable[v.length];
}

/** Whether some value matches both globs: a search over the product of the two patterns. */
export function globsOverlap(a: string, b: string, caseInsensitive = false): boolean {
  const x = caseInsensitive ? a.toLowerCase() : a;
  const y = caseInsensitive ? b.toLowerCase() : b;
  const seen = new Set<string>();
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop() as [number, number];
    const key = `${i},${j}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === x.length && j === y.length) return true;
    // A star may match nothing.
    if (x[i] === "*") stack.push([i + 1, j]);
    if (y[j] === "*") stack.push([i, j + 1]);
    // Or both consume one common character (a star stays where it is).
    if (i < x.length && j < y.length) {
      const cx = x[i];
      const cy = y[j];
      const common = cx === "*" || cy === "*" || cx === "?" || cy === "?" || cx === cy;
      if (common) stack.push([cx === "*" ? i : i + 1, cy === "*" ? j : j + 1]);
    }
  }
  return false;
}

/** A request as the listener sees it: the Host header (without port) and the path (without query). */
export interface ListenerRequest {
  readonly host: string;
  readonly path: string;
}

/** Whether a rule with these conditions matches: every condition present must match one of its values. */
export function routeMatches(route: Pick<RouteSpec, "hostHeaders" | "pathPatterns">, request: ListenerRequest): boolean {
  const host = request.host.replace(/:\d+$/, "");
  const hostOk = route.hostHeaders.length === 0 || route.hostHeaders.some((pattern) => globMatches(pattern, host, true));
  const pathOk = route.pathPatterns.length === 0 || route.pathPatterns.some((pattern) => globMatches(pattern, request.path));
  return hostOk && pathOk;
}

/** Whether two routes can match one request. */
export function routesOverlap(a: RouteSpec, b: RouteSpec): boolean {
  const anyOverlap = (xs: readonly string[], ys: readonly string[], caseInsensitive: boolean): boolean =>
    xs.length === 0 || ys.length === 0 || xs.some((x) => ys.some((y) => globsOverlap(x, y, caseInsensitive)));
  return anyOverlap(a.hostHeaders, b.hostHeaders, true) && anyOverlap(a.pathPatterns, b.pathPatterns, false);
}

/** A route with no condition that narrows it: any host (or `*`), any path (or `*`, `/*`). */
export function matchesEveryRequest(route: RouteSpec): boolean {
  const anyHost = route.hostHeaders.length === 0 || route.hostHeaders.some((host) => /^\*+$/.test(host));
  const anyPath = route.pathPatterns.length === 0 || route.pathPatterns.some((path) => /^\/?\*+$/.test(path));
  return anyHost && anyPath;
}

/**
 * A request the route certainly matches, for reachability checks: its first host (wildcards made
 * concrete) or `fallbackHost`, and its first path (wildcards made concrete) or `/`.
 */
export function sampleRequest(route: Pick<RouteSpec, "hostHeaders" | "pathPatterns">, fallbackHost: string): ListenerRequest {
  const concrete = (pattern: string): string => pattern.replace(/\*/g, "x").replace(/\?/g, "x");
  return {
    host: route.hostHeaders.length > 0 ? concrete(route.hostHeaders[0]) : fallbackHost,
    path: route.pathPatterns.length > 0 ? concrete(route.pathPatterns[0]) : "/",
  };
}
