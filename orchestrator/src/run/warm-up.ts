// Warms the fleet before measuring: JIT compilers (Node, DynamoDB Local's JVM) make the first
// seconds slow, which would otherwise show up as the "before" window's latency.
import { sleep } from "../process/poll.ts";

export interface WarmUpResult {
  requests: number;
  failed: number;
  ms: number;
  /** p95 latency (ms) of the answered requests of each second of the warm-up. */
  p95PerSecond: number[];
  /** True when latency settled; false when the warm-up hit its time limit first. */
  settled: boolean;
}

/**
 * Latency has settled when at least `minSeconds` have passed and it stopped improving: each of
 * the last two seconds' p95 is at least 0.8 times the second before it, and within 1.5 times the
 * best second's (pure).
 */
export function latencySettled(p95PerSecond: readonly number[], minSeconds = 5): boolean {
  if (p95PerSecond.length < Math.max(minSeconds, 3)) return false;
  const best = Math.min(...p95PerSecond);
  const [a, b, c] = p95PerSecond.slice(-3) as [number, number, number];
  return b >= 0.8 * a && c >= 0.8 * b && b <= 1.5 * best && c <= 1.5 * best;
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
}

/**
 * `users` people each log in, then write and read their profile at a steady pace until latency has settled
 * (`latencySettled`, at least `minMs`, at most `maxMs`), then log out, so that no warm-up session
 * is left for the store audit to count.
 */
export async function warmUp(
  baseUrl: string,
  options: { users?: number; minMs?: number; maxMs?: number; signal?: AbortSignal } = {},
): Promise<WarmUpResult> {
  const users = options.users ?? 10;
  /** Each user sends one write and one read every 50 ms at most: up to 400 requests/s in all. */
  const pacingMs = 50;
  const started = Date.now();
  const deadline = started + (options.maxMs ?? 30_000);
  let requests = 0;
  let failed = 0;
  let done = false;
  let second: number[] = [];
  const p95PerSecond: number[] = [];
  let settled = false;
  const monitor = setInterval(() => {
    if (second.length > 0) p95PerSecond.push(Math.round(p95(second) * 10) / 10);
    second = [];
    settled = latencySettled(p95PerSecond, Math.round((options.minMs ?? 5000) / 1000));
    if (settled || Date.now() >= deadline || options.signal?.aborted) done = true;
  }, 1000);

  async function call(path: string, method: string, cookie: string, body?: object): Promise<string> {
    requests++;
    const sent = performance.now();
    try {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { accept: "application/json", "content-type": "application/json", ...(cookie ? { cookie } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      if (res.ok) second.push(performance.now() - sent);
      else failed++;
      const set = res.headers.getSetCookie().map((c) => c.split(";")[0]);
      if (set.length === 0) return cookie;
      const jar = new Map(cookie ? cookie.split("; ").map((c) => c.split("=", 2) as [string, string]) : []);
      for (const c of set) {
        const [name, value] = c?.split("=", 2) ?? [];
        if (name) jar.set(name, value ?? "");
      }
      return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    } catch {
      failed++;
      return cookie;
    }
  }

  try {
    await Promise.all(
      Array.from({ length: users }, async (_, u) => {
        let cookie = await call("/login", "POST", "", { username: `warmup-${u}` });
        for (let r = 0; !done; r++) {
          const pairStart = Date.now();
          cookie = await call("/profile", "POST", cookie, { key: "k", value: String(r) });
          cookie = await call("/profile", "GET", cookie);
          // Paced, not flat out: latency then measures service time, not a queue of our own making.
          await sleep(Math.max(0, pacingMs - (Date.now() - pairStart)));
        }
        await call("/logout", "POST", cookie);
      }),
    );
  } finally {
    clearInterval(monitor);
  }
  // Let the last touches reach the disk before anything is audited.
  await sleep(50);
  return { requests, failed, ms: Date.now() - started, p95PerSecond, settled };
}
