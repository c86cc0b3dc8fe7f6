/** Injected clock: sleep advances time at once and is recorded, so minutes of waiting run in milliseconds. */
export function fakeClock(start: number) {
  const clock = {
    time: start,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}
