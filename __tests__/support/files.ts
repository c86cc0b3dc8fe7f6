import * as fs from "node:fs";
import * as path from "node:path";

/** Every file below `dir` with its bytes, by relative path, sorted. */
export function filesBelow(dir: string): Map<string, Buffer> {
  const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => fs.statSync(path.join(dir, file)).isFile());
  return new Map(files.sort().map((file) => [file, fs.readFileSync(path.join(dir, file))]));
}
