// Preloaded into benchmarked processes: reports their peak resident memory when they exit.
const fs = require("node:fs");

process.on("exit", () => {
  if (process.env.BENCH_RSS_FILE) fs.writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
