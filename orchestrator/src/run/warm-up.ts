// Warms the fleet before measuring: JIT compilers (Node, DynamoDB Local's JVM) make the first
// seconds slow, which would otherwise show up as the "before" window's latency.
import { sleep } from "../process/poll.ts";

export interface WarmUpResult {
  requests: number;
  failed: number;
  ms: number;
}

/**
 * `users` people each log in, write and read their profile for `durationMs` (at most `rounds`
 * times), then log out, so that no warm-up session is left for the store audit to count.
 */
export async function warmUp(
  baseUrl: string,
  options: { users?: number; rounds?: number; durationMs?: number; signal?: AbortSignal } = {},
): Promise<WarmUpResult> {
  const users = options.users ?? 10;
  const rounds = options.rounds ?? 500;
  const deadline = Date.now() + (options.durationMs ?? 5000);
  const started = Date.now();
  let requests = 0;
  let failed = 0;

  async function call(path: string, method: string, cookie: string, body?: object): Promise<string> {
    requests++;
    try {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { accept: "application/json", "content-type": "application/json", ...(cookie ? { cookie } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      if (!res.ok) failed++;
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

  await Promise.all(
    Array.from({ length: users }, async (_, u) => {
      let cookie = await call("/login", "POST", "", { username: `warmup-${u}` });
      for (let r = 0; r < rounds && Date.now() < deadline && !options.signal?.aborted; r++) {
        cookie = await call("/profile", "POST", cookie, { key: "k", value: String(r) });
        cookie = await call("/profile", "GET", cookie);
      }
      await call("/logout", "POST", cookie);
    }),
  );
  // Let the last touches reach the disk before anything is audited.
  await sleep(50);
  return { requests, failed, ms: Date.now() - started };
}
