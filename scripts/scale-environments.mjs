// The benchmark's scale case: many environments with many services each, generated from the shipped
// environments at bench time (never committed), so the case grows with the platform's features.

/** Listener priorities between copies: room for a canary's test rule, which takes the one before. */
const PRIORITY_STEP = 10;

/**
 * `environments` environments of `services` services each: the shipped environments taken in turn,
 * each renamed and its web services repeated (renamed, each copy on a path of its own and ordered
 * before the original) until it has `services` services, with its capacity maxima raised in
 * proportion so the services still fit (and the drainer's reserved executions with them). The originals keep their names, so jobs still find their
 * service; daemons (one task per instance) are not repeated.
 * @param {Readonly<Record<string, object>>} shipped raw environment configs, by stack name
 * @param {{ environments: number, services: number }} size
 * @returns {Record<string, object>} raw environment configs, by stack name
 */
export function scaleEnvironments(shipped, { environments, services }) {
  const templates = Object.values(shipped);
  if (templates.length === 0) throw new Error("no shipped environment to scale");
  return Object.fromEntries(
    Array.from({ length: environments }, (_, index) => {
      const template = templates[index % templates.length];
      const environment = `scale${String(index).padStart(2, "0")}`;
      const repeated = repeatServices(template.services ?? [], services);
      // Twice: traffic-shifting deployments need room for a second full set.
      const factor = 2 * Math.ceil(repeated.length / Math.max(1, (template.services ?? []).length));
      const capacity = scaleCapacity(template.capacity, factor);
      // The drainer reserves an execution per instance that can be warned at once.
      const spotDrainer = { ...template.spotDrainer, reservedConcurrency: Math.max(template.spotDrainer?.reservedConcurrency ?? 0, capacityMaxima(capacity)) };
      return [environment, { ...template, environment, services: repeated, capacity, spotDrainer }];
    }),
  );
}

function repeatServices(originals, count) {
  const web = originals.filter((service) => service.kind !== "daemon");
  if (web.length === 0) return originals;
  const copies = Array.from({ length: Math.max(0, count - originals.length) }, (_, index) => {
    const template = web[index % web.length];
    const name = `${template.name}-${Math.floor(index / web.length) + 1}`;
    return { ...template, name, pathPatterns: [`/${name}/*`], listenerPriority: (index + 1) * PRIORITY_STEP };
  });
  return [...originals, ...copies];
}

/** The sum of the capacity section's maxima. */
function capacityMaxima(capacity) {
  if (typeof capacity !== "object" || capacity === null) return 0;
  return Object.entries(capacity).reduce((sum, [key, value]) => sum + ((key === "maxSize" || key === "maxCapacity") && typeof value === "number" ? value : capacityMaxima(value)), 0);
}

/** Every `maxSize` and `maxCapacity` of the capacity section times `factor`. */
function scaleCapacity(capacity, factor) {
  if (typeof capacity !== "object" || capacity === null || Array.isArray(capacity)) return capacity;
  return Object.fromEntries(
    Object.entries(capacity).map(([key, value]) => [key, (key === "maxSize" || key === "maxCapacity") && typeof value === "number" ? value * factor : scaleCapacity(value, factor)]),
  );
}
