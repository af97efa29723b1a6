// Reads HAProxy's view of each server through its stats socket (`show stat`), parsed purely.
import { createConnection } from "node:net";
import type { LbServerState, LbStatus } from "../platforms/types.ts";

/** Parses `show stat` CSV into the state of each server of one backend. */
export function parseShowStat(csv: string, backend: string): Map<string, LbServerState> {
  const lines = csv.split("\n").filter((l) => l.trim() !== "");
  const header = lines[0]?.replace(/^# /, "").split(",") ?? [];
  const col = (name: string) => header.indexOf(name);
  const [px, sv, scur, status] = [col("pxname"), col("svname"), col("scur"), col("status")];
  const [eresp, wretr, wredis] = [col("eresp"), col("wretr"), col("wredis")];
  if (px < 0 || sv < 0 || scur < 0 || status < 0) throw new Error("unexpected `show stat` output: no header");
  const states = new Map<string, LbServerState>();
  for (const line of lines.slice(1)) {
    const fields = line.split(",");
    const server = fields[sv];
    if (fields[px] !== backend || !server || server === "BACKEND" || server === "FRONTEND") continue;
    const state: LbServerState = { status: toStatus(fields[status] ?? ""), inFlight: Number(fields[scur]) || 0 };
    // eresp alone: HAProxy counts srv_abrt in it too ("srv_abrt will be counted here also", the management
    // guide's CSV fields), and a victim killed with one request in flight raised both by one.
    if (eresp >= 0) state.abortedTotal = Number(fields[eresp]) || 0;
    if (wretr >= 0 && wredis >= 0)
      state.retried = { retries: Number(fields[wretr]) || 0, redispatches: Number(fields[wredis]) || 0 };
    states.set(server, state);
  }
  return states;
}

/** "UP", "UP 1/2" (failing, still up), "DOWN", "DOWN 1/2" (recovering, still down), "MAINT", ... */
function toStatus(text: string): LbStatus {
  if (text.startsWith("UP") || text === "NOLB") return "UP";
  if (text.startsWith("DOWN")) return "DOWN";
  if (text.startsWith("MAINT")) return "MAINT";
  return "UNKNOWN";
}

/** Sends one command to the stats socket and returns the whole answer. */
export function statsCommand(socketPath: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from ${socketPath} in ${timeoutMs} ms`)));
    socket.on("connect", () => socket.end(`${command}\n`));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

/**
 * Changes one server's state through HAProxy's stats page (`stats admin`): `maint` takes it out of
 * rotation, `ready` puts it back. HAProxy answers 303 with `st=DONE` in the Location when it did.
 */
export async function statsPageAction(
  statsUrl: string,
  backend: string,
  server: string,
  action: "maint" | "ready",
  headers: Record<string, string> = {},
): Promise<void> {
  const res = await fetch(statsUrl, {
    method: "POST",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ s: server, action, b: backend }).toString(),
    redirect: "manual",
    signal: AbortSignal.timeout(2000),
  });
  await res.arrayBuffer();
  const outcome = /[;?&]st=([A-Z]+)/.exec(res.headers.get("location") ?? "")?.[1];
  if (outcome !== "DONE")
    throw new Error(
      `HAProxy's stats page did not set ${backend}/${server} to ${action}: ${res.status} st=${outcome ?? "?"}`,
    );
}
