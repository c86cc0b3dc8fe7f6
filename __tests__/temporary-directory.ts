// vitest globalSetup: every scratch directory of a run (cdktf's Testing apps make one per synth, the
// CLI tests one per invocation; about 500 a run) goes below one directory that is removed afterwards,
// instead of piling up in the system's temporary directory run after run.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export default function setup(): () => void {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-spot-platform-tests-"));
  const previous = process.env.TMPDIR;
  // Read by os.tmpdir() in this process, in the workers it forks and in the processes tests spawn.
  process.env.TMPDIR = directory;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    fs.rmSync(directory, { recursive: true, force: true });
  };
}
