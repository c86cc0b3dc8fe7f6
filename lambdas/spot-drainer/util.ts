/** A call wrapped in retry-with-backoff bounded by some deadline (see retry.ts). */
export type Retry = <T>(fn: () => Promise<T>) => Promise<T>;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Follows nextToken until the listing is exhausted; each page is retried on its own. */
export async function collectPages<T>(
  retry: Retry,
  fetchPage: (nextToken: string | undefined) => Promise<{ items?: T[]; nextToken?: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await retry(() => fetchPage(nextToken));
    all.push(...(page.items ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

/** Runs fn over items with bounded concurrency so a busy instance does not trip API rate limits. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (const batch of chunk(items, limit)) {
    await Promise.all(batch.map(fn));
  }
}
