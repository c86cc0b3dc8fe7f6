import { describe, expect, test } from "vitest";
import {
  bandRange,
  derivedPriority,
  globMatches,
  globsOverlap,
  listenerRulePriorities,
  globCovers,
  routeCovers,
  routeMatches,
  routesOverlap,
  routingProblems,
  specificityBand,
  type RouteSpec,
} from "../../../modules/traffic/listener-routing";

const route = (name: string, hostHeaders: string[] = [], pathPatterns: string[] = [], priority?: number): RouteSpec => ({ name, hostHeaders, pathPatterns, priority });

/** A small deterministic PRNG, so the property runs are reproducible. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Random route sets over disjoint hosts and paths (so they are valid), with every band represented. */
function randomRoutes(random: () => number, count: number, offset = 0): RouteSpec[] {
  return Array.from({ length: count }, (_, index) => {
    const id = index + offset;
    const host = random() < 0.3 ? `*.h${id}.example.com` : `h${id}.example.com`;
    switch (Math.floor(random() * 3)) {
      case 0:
        return route(`svc-${id}`, [host], [`/p${id}/*`]);
      case 1:
        return route(`svc-${id}`, [], [`/p${id}/*`]);
      default:
        return route(`svc-${id}`, [host]);
    }
  });
}

/** Routes whose derived priorities are distinct (a hash collision is a config error, tested below). */
function validRoutes(random: () => number, count: number, offset = 0): RouteSpec[] {
  const routes = randomRoutes(random, count, offset);
  return routingProblems(routes).length === 0 ? routes : validRoutes(random, count, offset + count);
}

describe("listener rule priorities", () => {
  test.each<[string, RouteSpec, number]>([
    ["exact host and path", route("a", ["api.example.com"], ["/v2/*"]), 0],
    ["wildcard host and path", route("a", ["*.example.com"], ["/v2/*"]), 1],
    ["path only", route("a", [], ["/v2/*"]), 2],
    ["exact host only", route("a", ["api.example.com"]), 3],
    ["wildcard host only", route("a", ["api-?.example.com"]), 4],
  ])("%s is band %d, and its derived priority lies in that band", (_case, spec, band) => {
    expect(specificityBand(spec)).toBe(band);
    const { from, to } = bandRange(band);
    expect(derivedPriority(spec)).toBeGreaterThanOrEqual(from);
    expect(derivedPriority(spec)).toBeLessThanOrEqual(to);
  });

  test("bands are disjoint, ordered and within ELBv2's 1-50000, leaving 1-9999 for explicit priorities", () => {
    const ranges = [0, 1, 2, 3, 4].map(bandRange);
    expect(ranges[0].from).toBe(10000);
    ranges.forEach((range, index) => index > 0 && expect(range.from).toBe(ranges[index - 1].to + 1));
    expect(ranges[4].to).toBeLessThanOrEqual(50000);
  });

  test.each([1, 2, 3, 4, 5, 6, 7, 8])("PROPERTY (seed %d): adding or removing a service leaves every other priority unchanged", (seed) => {
    const random = prng(seed);
    const routes = validRoutes(random, 12);
    const before = listenerRulePriorities(routes);
    // removing any one
    routes.forEach((_removed, index) => {
      const after = listenerRulePriorities(routes.filter((_, other) => other !== index));
      for (const [name, priority] of after) expect(priority).toBe(before.get(name));
    });
    // adding one, anywhere in the list
    const [added] = validRoutes(random, 1, 1000 + seed);
    const position = Math.floor(random() * (routes.length + 1));
    const grown = [...routes.slice(0, position), added, ...routes.slice(position)];
    if (routingProblems(grown).length === 0) {
      const after = listenerRulePriorities(grown);
      for (const [name, priority] of before) expect(after.get(name)).toBe(priority);
    }
  });

  test.each([11, 12, 13, 14])("PROPERTY (seed %d): more specific bands are always evaluated first, whatever the names", (seed) => {
    const routes = validRoutes(prng(seed), 15);
    const priorities = listenerRulePriorities(routes);
    for (const a of routes) {
      for (const b of routes) {
        if (specificityBand(a) < specificityBand(b)) expect(priorities.get(a.name)).toBeLessThan(priorities.get(b.name)!);
      }
    }
  });

  test("an explicit priority wins and is kept as given", () => {
    expect(listenerRulePriorities([route("api", ["api.example.com"], [], 42)]).get("api")).toBe(42);
  });

  test("GIVEN two names whose hashes collide in one band WHEN validated THEN the second is refused, naming both", () => {
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let index = 0; pair === undefined; index++) {
      const name = `svc-${index}`;
      const priority = derivedPriority(route(name, [`${name}.example.com`]));
      const first = seen.get(priority);
      if (first !== undefined) pair = [first, name];
      seen.set(priority, name);
    }
    const routes = pair.map((name) => route(name, [`${name}.example.com`]));
    const problems = routingProblems(routes);
    expect(problems).toEqual([
      { index: 1, field: "priority", message: expect.stringMatching(new RegExp(`is also service "${pair[0]}"'s \\(the name hashes collide\\): set listenerPriority on one of them`)) },
    ]);
    expect(() => listenerRulePriorities(routes)).toThrow(`listener routes: ${pair[1]}: listener priority`);
    // one explicit priority resolves it
    expect(routingProblems([routes[0], { ...routes[1], priority: 500 }])).toEqual([]);
  });

  test.each<[string, RouteSpec[], string]>([
    ["an explicit priority used twice", [route("api", ["api.example.com"], [], 7), route("admin", ["admin.example.com"], [], 7)], 'listener priority 7 is also service "api"\'s: give one of them another listenerPriority (both set 7)'],
    [
      "two overlapping paths in one band, ordered only by a hash",
      [route("api", ["api.example.com"], ["/api/*"]), route("api-v2", ["api.example.com"], ["/api/v2/*"])],
      'matches some of the same requests as service "api" (both host and path), so which one wins would depend on a name hash',
    ],
    ["a service after a catch-all path rule", [route("site", [], ["/*"]), route("admin", ["admin.example.com"])], 'is never reached: service "site"'],
  ])("refuses %s", (_case, routes, message) => {
    expect(routingProblems(routes).map((problem) => problem.message)).toEqual([expect.stringContaining(message)]);
  });

  test.each<[string, RouteSpec[]]>([
    ["disjoint paths on one host", [route("v1", ["api.example.com"], ["/v1/*"]), route("v2", ["api.example.com"], ["/v2/*"])]],
    ["overlapping paths ordered explicitly", [route("api", ["api.example.com"], ["/api/*"], 200), route("api-v2", ["api.example.com"], ["/api/v2/*"], 100)]],
    ["a catch-all path rule alone", [route("site", [], ["/*"])]],
    ["an exact and a wildcard host (bands order them)", [route("api", ["api.example.com"]), route("rest", ["*.example.com"])]],
  ])("accepts %s", (_case, routes) => {
    expect(routingProblems(routes)).toEqual([]);
  });
});

describe("route coverage (a rule evaluated first takes every request of another)", () => {
  test.each<[string, string, boolean, boolean]>([
    ["*", "api.example.com", true, true],
    ["*.example.com", "api.example.com", true, true],
    ["*.example.com", "*.api.example.com", true, true],
    ["*.EXAMPLE.com", "Api.example.com", true, true],
    ["api.example.com", "*.example.com", true, false],
    ["/*", "/api/*", false, true],
    ["/api/*", "/*", false, false],
    ["/a?c", "/abc", false, true],
    ["/a?c", "/a*c", false, false],
    ["/a*", "/a?c", false, true],
    ["/v1/*", "/v2/*", false, false],
  ])("glob %s covers %s (case-insensitive: %s): %s", (outer, inner, caseInsensitive, expected) => {
    expect(globCovers(outer, inner, caseInsensitive)).toBe(expected);
  });

  test.each<[string, RouteSpec, RouteSpec, boolean]>([
    ["no conditions take everything", route("all", [], ["/*"]), route("api", ["api.example.com"], ["/v1/*"]), true],
    ["a wildcard host takes an exact one", route("tenants", ["*.example.com"]), route("api", ["api.example.com"], ["/v1/*"]), true],
    ["a path rule does not take a route without paths", route("v1", ["api.example.com"], ["/v1/*"]), route("api", ["api.example.com"]), false],
    ["one of two hosts covered is not enough", route("api", ["api.example.com"]), route("both", ["api.example.com", "admin.example.com"]), false],
  ])("%s", (_case, outer, inner, expected) => {
    expect(routeCovers(outer, inner)).toBe(expected);
  });
});

describe("ALB matching", () => {
  test.each<[string, string, boolean, boolean]>([
    ["/*", "/", false, true],
    ["/api/*", "/api/v1/users", false, true],
    ["/api/*", "/API/v1", false, false],
    ["/a?c", "/abc", false, true],
    ["/a?c", "/ac", false, false],
    ["*.example.com", "API.Example.com", true, true],
    ["*.example.com", "example.com", true, false],
  ])("glob %s against %s (case-insensitive: %s) is %s", (pattern, value, caseInsensitive, expected) => {
    expect(globMatches(pattern, value, caseInsensitive)).toBe(expected);
  });

  test.each<[string, string, boolean]>([
    ["/api/*", "/api/v2/*", true],
    ["/v1/*", "/v2/*", false],
    ["/*", "/exact", true],
    ["/a?", "/ab*", true],
    ["*.example.com", "api.example.com", true],
    ["api.example.com", "admin.example.com", false],
  ])("globs %s and %s overlap: %s", (a, b, expected) => {
    expect(globsOverlap(a, b)).toBe(expected);
    expect(globsOverlap(b, a)).toBe(expected);
  });

  test("a rule matches when every present condition matches one of its values; the Host port is ignored", () => {
    const spec = route("api", ["api.example.com", "www.example.com"], ["/v1/*"]);
    expect(routeMatches(spec, { host: "www.example.com:443", path: "/v1/x" })).toBe(true);
    expect(routeMatches(spec, { host: "www.example.com", path: "/v2/x" })).toBe(false);
    expect(routeMatches(route("any", [], ["/*"]), { host: "whatever", path: "/" })).toBe(true);
  });

  test("routes on different hosts never overlap; a route without hosts overlaps any host", () => {
    expect(routesOverlap(route("a", ["a.example.com"], ["/*"]), route("b", ["b.example.com"], ["/*"]))).toBe(false);
    expect(routesOverlap(route("a", [], ["/x/*"]), route("b", ["b.example.com"], ["/x/y"]))).toBe(true);
  });
});
