// Warms the fleet before measuring, at the run's own rate until latency is stable: JIT compilers
// (Node, DynamoDB Local's JVM) make the first seconds slow, which would otherwise show up as the
// "before" window's latency. The open-model load driver is shared with the rate check.
import { sleep } from "../process/poll.ts";
import { CpuWatch } from "./k6.ts";

/** One second of driven load. Latencies are of answered (2xx) requests, by the second they ended in. */
export interface LoadSecond {
  /** Iterations per second asked for during this second. */
  rate: number;
  requests: number;
  /**
   * Failed as the scenario counts failures: a transport error or a 5xx. A 4xx is an answer (a
   * session the `local` strategy's round robin misses is a 401, by design) and counts in latency.
   */
  failed: number;
  /** Iterations due that could not start because every user was still busy: the fleet fell behind. */
  dropped: number;
  p50: number | null;
  p95: number | null;
  /** The machine's CPU use over about this second, in %, when /proc/stat is readable. */
  machineCpuPercent: number | null;
}

/** When latency counts as stable (see latencySettled). */
export interface StabilityRule {
  /** Never settled before this many seconds. */
  minSeconds: number;
  /** Seconds judged together: the last `window` against the `window` before them. */
  window: number;
  /** Allowed relative spread of the window's p50 (max − min ≤ spread × median). */
  spread: number;
  /** Absolute slack in ms, so that 4 ms against 5 ms is not called unstable. */
  slackMs: number;
}

export const stabilityRule: StabilityRule = { minSeconds: 10, window: 5, spread: 0.25, slackMs: 2 };

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Latency is stable (pure) when at least `minSeconds` (and two windows) have passed and, over the
 * last `window` seconds: every second had answers, no failed request and no dropped iteration
 * (the fleet kept the rate); the p50s lie within max(spread × their median, slackMs) of each
 * other; no p95 exceeds 1.5 × their median p95 + slackMs (no spike); and the median p50 is no more
 * than max(10 %, slackMs) better than the window before (it stopped improving).
 */
export function latencySettled(
  seconds: readonly Pick<LoadSecond, "p50" | "p95" | "failed" | "dropped">[],
  rule: StabilityRule = stabilityRule,
): boolean {
  if (seconds.length < Math.max(rule.minSeconds, 2 * rule.window)) return false;
  const last = seconds.slice(-rule.window);
  const previous = seconds.slice(-2 * rule.window, -rule.window);
  if (last.some((s) => s.p50 === null || s.p95 === null || s.failed > 0 || s.dropped > 0)) return false;
  const p50s = last.map((s) => s.p50!);
  const p95s = last.map((s) => s.p95!);
  const m50 = median(p50s);
  if (Math.max(...p50s) - Math.min(...p50s) > Math.max(rule.spread * m50, rule.slackMs)) return false;
  const m95 = median(p95s);
  if (p95s.some((p) => p > 1.5 * m95 + rule.slackMs)) return false;
  const before = previous.map((s) => s.p50).filter((p): p is number => p !== null);
  if (before.length === 0) return true;
  const m50Before = median(before);
  return m50 >= m50Before - Math.max(0.1 * m50Before, rule.slackMs);
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! * 10) / 10;
}

interface User {
  name: string;
  cookie: string;
  loggedIn: boolean;
  busy: boolean;
  writes: number;
}

/**
 * An open-model load through the balancer, as the scenario's: `rate` iterations start per second
 * whether or not earlier ones finished, each taken by a free user of a fixed pool (log in once,
 * then read and write its profile); an iteration due while every user is busy is dropped.
 */
export class OpenLoad {
  readonly seconds: LoadSecond[] = [];
  requests = 0;
  failed = 0;
  dropped = 0;
  readonly #users: User[];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #cpu = new CpuWatch(undefined);
  #rate: number;
  #rateSince = Date.now();
  #startedSinceRate = 0;
  #second = { requests: 0, failed: 0, dropped: 0, latencies: [] as number[] };
  #ticker?: NodeJS.Timeout;
  #monitor?: NodeJS.Timeout;
  #onSecond: (s: LoadSecond) => void = () => {};

  constructor(
    private readonly baseUrl: string,
    options: { rate: number; users: number; name?: string },
  ) {
    this.#rate = options.rate;
    this.#users = Array.from({ length: options.users }, (_, u) => ({
      name: `${options.name ?? "warmup"}-${u}`,
      cookie: "",
      loggedIn: false,
      busy: false,
      writes: 0,
    }));
  }

  get rate(): number {
    return this.#rate;
  }

  /** Starts the load; `onSecond` sees each completed second. */
  start(onSecond: (s: LoadSecond) => void = () => {}): void {
    this.#onSecond = onSecond;
    this.#rateSince = Date.now();
    this.#startedSinceRate = 0;
    this.#ticker = setInterval(() => this.#tick(), 5);
    this.#monitor = setInterval(() => this.#closeSecond(), 1000);
  }

  setRate(rate: number): void {
    this.#rate = rate;
    this.#rateSince = Date.now();
    this.#startedSinceRate = 0;
  }

  /** Stops starting iterations, waits for those in flight, logs every user out (no session left for the audit). */
  async stop(): Promise<void> {
    clearInterval(this.#ticker);
    clearInterval(this.#monitor);
    this.#cpu.stop();
    await Promise.all([...this.#inFlight]);
    await Promise.all(this.#users.filter((u) => u.loggedIn).map((u) => this.#call(u, "POST", "/logout")));
    // Let the last writes reach the disk before anything is audited.
    await sleep(50);
  }

  #tick(): void {
    const due = Math.floor(((Date.now() - this.#rateSince) * this.#rate) / 1000) + 1;
    while (this.#startedSinceRate < due) {
      this.#startedSinceRate++;
      const user = this.#users.find((u) => !u.busy);
      if (!user) {
        this.dropped++;
        this.#second.dropped++;
        continue;
      }
      const iteration = this.#iterate(user).finally(() => this.#inFlight.delete(iteration));
      this.#inFlight.add(iteration);
    }
  }

  #closeSecond(): void {
    const s = this.#second;
    this.#second = { requests: 0, failed: 0, dropped: 0, latencies: [] };
    const sorted = s.latencies.sort((a, b) => a - b);
    const second: LoadSecond = {
      rate: this.#rate,
      requests: s.requests,
      failed: s.failed,
      dropped: s.dropped,
      p50: quantile(sorted, 0.5),
      p95: quantile(sorted, 0.95),
      machineCpuPercent: this.#cpu.machinePercent.at(-1) ?? null,
    };
    this.seconds.push(second);
    this.#onSecond(second);
  }

  async #iterate(user: User): Promise<void> {
    user.busy = true;
    try {
      if (!user.loggedIn) {
        user.loggedIn = await this.#call(user, "POST", "/login", { username: user.name });
        if (!user.loggedIn) return;
      }
      if (!(await this.#call(user, "GET", "/profile"))) return;
      await this.#call(user, "POST", "/profile", { key: `k${user.writes % 4}`, value: String(++user.writes) });
    } finally {
      user.busy = false;
    }
  }

  /** One request; true when answered with 2xx. Keeps the user's cookies. */
  async #call(user: User, method: string, path: string, body?: object): Promise<boolean> {
    this.requests++;
    this.#second.requests++;
    const sent = performance.now();
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: "application/json",
          "content-type": "application/json",
          ...(user.cookie ? { cookie: user.cookie } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      const set = res.headers.getSetCookie().map((c) => c.split(";")[0] ?? "");
      if (set.length > 0) {
        const jar = new Map(user.cookie ? user.cookie.split("; ").map((c) => c.split("=", 2) as [string, string]) : []);
        for (const c of set) {
          const [name, value] = c.split("=", 2);
          if (name) jar.set(name, value ?? "");
        }
        user.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
      }
      if (res.status < 500) {
        this.#second.latencies.push(performance.now() - sent);
        // A 401: the session was missed; the user logs in again at its next iteration.
        if (res.status === 401) user.loggedIn = false;
        return res.ok;
      }
    } catch {}
    this.failed++;
    this.#second.failed++;
    return false;
  }
}

export interface WarmUpResult {
  /** Iterations per second (the run's rate) and the pool of users. */
  rate: number;
  users: number;
  requests: number;
  failed: number;
  dropped: number;
  ms: number;
  /** True when latency was stable (latencySettled); false when the warm-up hit its bound first. */
  settled: boolean;
  /** Median p50 and p95 of the last seconds judged (the window of the stability rule). */
  final: { p50: number | null; p95: number | null; machineCpuPercent: number | null };
  seconds: LoadSecond[];
}

/** Median of the last `n` seconds' values of a field, ignoring nulls; null when none. */
export function recentMedian(
  seconds: readonly LoadSecond[],
  field: "p50" | "p95" | "machineCpuPercent",
  n: number,
): number | null {
  const values = seconds
    .slice(-n)
    .map((s) => s[field])
    .filter((v): v is number => v !== null);
  return values.length === 0 ? null : Math.round(median(values) * 10) / 10;
}

/**
 * Drives the run's own load (`rate` iterations/s over `users` people, as k6 will) until latency
 * is stable by `rule` or `maxMs` passed, then logs the users out.
 */
export async function warmUp(
  baseUrl: string,
  options: { rate: number; users: number; maxMs?: number; rule?: StabilityRule; signal?: AbortSignal },
): Promise<WarmUpResult> {
  const rule = options.rule ?? stabilityRule;
  const maxMs = options.maxMs ?? 45_000;
  const started = Date.now();
  const load = new OpenLoad(baseUrl, { rate: options.rate, users: options.users });
  let settled = false;
  await new Promise<void>((done) => {
    const finish = () => {
      options.signal?.removeEventListener("abort", finish);
      done();
    };
    options.signal?.addEventListener("abort", finish, { once: true });
    if (options.signal?.aborted) return finish();
    load.start(() => {
      settled = latencySettled(load.seconds, rule);
      if (settled || Date.now() - started >= maxMs) finish();
    });
  });
  await load.stop();
  return {
    rate: options.rate,
    users: options.users,
    requests: load.requests,
    failed: load.failed,
    dropped: load.dropped,
    ms: Date.now() - started,
    settled,
    final: {
      p50: recentMedian(load.seconds, "p50", rule.window),
      p95: recentMedian(load.seconds, "p95", rule.window),
      machineCpuPercent: recentMedian(load.seconds, "machineCpuPercent", rule.window),
    },
    seconds: load.seconds,
  };
}

/** The progress line for a finished warm-up (pure). */
export function warmUpLine(warm: WarmUpResult): string {
  const perSecond = warm.seconds.map((s) => `${s.p50 ?? "-"}/${s.p95 ?? "-"}`).join(", ");
  const end = warm.settled
    ? `stable at p50 ${warm.final.p50} ms, p95 ${warm.final.p95} ms`
    : "did not settle within its bound: the before window may be slow";
  return (
    `[run] warmed up the fleet at ${warm.rate} iterations/s: ${warm.requests} requests in ${(warm.ms / 1000).toFixed(1)} s ` +
    `(${warm.failed} failed, ${warm.dropped} iterations dropped), p50/p95 per second ${perSecond} ms; ${end}`
  );
}
