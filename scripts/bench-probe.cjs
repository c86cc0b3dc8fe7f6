// Preloaded into benchmarked processes: reports their peak resident memory and CPU time when they exit.
const fs = require("node:fs");

process.on("exit", () => {
  if (!process.env.BENCH_REPORT_FILE) return;
  const { user, system } = process.cpuUsage();
  fs.writeFileSync(process.env.BENCH_REPORT_FILE, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, cpuMicros: user + system }));
});
