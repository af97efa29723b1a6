// The engine's name and versions for run.json and the records file's header.
import { readFileSync } from "node:fs";

let cached: string | null = null;

function versionOf(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
}

/** E.g. "failover-harness load engine 0.1.0 (undici 7.30.2, tough-cookie 6.1.0, node v20.20.2)". */
export function engineVersion(): string {
  if (cached) return cached;
  const file = (path: string) => new URL(`../${path}`, import.meta.url).pathname;
  const own = versionOf(file("package.json"));
  const undici = versionOf(file("node_modules/undici/package.json"));
  const cookie = versionOf(file("node_modules/tough-cookie/package.json"));
  cached = `failover-harness load engine ${own} (undici ${undici}, tough-cookie ${cookie}, node ${process.version})`;
  return cached;
}
