// A bounded open-model load client for the fleet bench: a pool of people, each logging in once, then at a
// fixed rate of iterations reading and writing its profile (as scenarios/login-profile.ts does), on loopback only.
import { Agent, request } from "node:http";
import { parseServerTiming } from "./fleet-figures.ts";

export interface LoadStep {
  /** Iterations started per second; each is a GET /profile and a POST /profile. */
  iterationsPerSecond: number;
  durationMs: number;
  requestTimeoutMs: number;
}

export interface LoadResult {
  answered: number;
  failed: number;
  dropped: number;
  serverTiming: { storeMs: number; totalMs: number; count: number };
}

interface Person {
  name: string;
  /** Cookie name -> value: the session cookie and, with stickiness, the balancer's. */
  cookies: Map<string, string>;
  busy: boolean;
  writes: number;
}

interface Answer {
  status: number;
}

/** Drives one balancer URL; keeps its people (and their sessions) from one step to the next. */
export class FleetLoad {
  private readonly agent: Agent;
  private readonly people: Person[];
  private readonly url: URL;

  constructor(baseUrl: string, sessions: number, runId: string) {
    this.url = new URL(baseUrl);
    if (this.url.hostname !== "127.0.0.1" && this.url.hostname !== "localhost") {
      throw new Error(`fleet bench load goes to loopback only, got ${JSON.stringify(baseUrl)}`);
    }
    this.agent = new Agent({ keepAlive: true, maxSockets: sessions });
    this.people = Array.from({ length: sessions }, (_, i) => ({
      name: `${runId}-u${i + 1}`,
      cookies: new Map(),
      busy: false,
      writes: 0,
    }));
  }

  /** Runs one step and resolves once every iteration it started has ended (bounded by the request timeout). */
  async run(step: LoadStep): Promise<LoadResult> {
    const result: LoadResult = {
      answered: 0,
      failed: 0,
      dropped: 0,
      serverTiming: { storeMs: 0, totalMs: 0, count: 0 },
    };
    const inFlight = new Set<Promise<void>>();
    const start = performance.now();
    let started = 0;
    while (performance.now() - start < step.durationMs) {
      const due = Math.floor(((performance.now() - start) * step.iterationsPerSecond) / 1000) - started;
      for (let i = 0; i < due; i++) {
        started++;
        const person = this.people.find((p) => !p.busy);
        if (!person) {
          result.dropped++;
          continue;
        }
        const iteration = this.iterate(person, step.requestTimeoutMs, result);
        inFlight.add(iteration);
        void iteration.finally(() => inFlight.delete(iteration));
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all(inFlight);
    return result;
  }

  close(): void {
    this.agent.destroy();
  }

  private async iterate(person: Person, timeoutMs: number, result: LoadResult): Promise<void> {
    person.busy = true;
    try {
      if (!person.cookies.has("fh.sid")) {
        await this.send("POST", "/login", { username: person.name }, person, timeoutMs, result);
        if (!person.cookies.has("fh.sid")) return;
      }
      const read = await this.send("GET", "/profile", undefined, person, timeoutMs, result);
      if (read?.status === 401) {
        person.cookies.clear(); // lost (the local strategy has no stickiness): log in again next time
        return;
      }
      person.writes++;
      const body = { key: `k${person.writes % 4}`, value: `v${person.writes}` };
      await this.send("POST", "/profile", body, person, timeoutMs, result);
    } finally {
      person.busy = false;
    }
  }

  private send(
    method: string,
    path: string,
    body: object | undefined,
    person: Person,
    timeoutMs: number,
    result: LoadResult,
  ): Promise<Answer | undefined> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: "application/json" };
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(payload));
    }
    if (person.cookies.size > 0) headers.cookie = [...person.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    return new Promise((resolve) => {
      const req = request(
        { host: this.url.hostname, port: this.url.port, path, method, headers, agent: this.agent, timeout: timeoutMs },
        (res) => {
          res.resume();
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            result.answered++;
            if (status >= 500) result.failed++;
            const timingHeader = res.headers["server-timing"];
            const timing = typeof timingHeader === "string" ? parseServerTiming(timingHeader) : undefined;
            if (timing?.store !== undefined && timing.total !== undefined) {
              result.serverTiming.storeMs += timing.store;
              result.serverTiming.totalMs += timing.total;
              result.serverTiming.count++;
            }
            for (const set of res.headers["set-cookie"] ?? []) {
              const pair = set.split(";")[0] ?? "";
              const eq = pair.indexOf("=");
              if (eq > 0) person.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
            }
            resolve({ status });
          });
          res.on("error", () => {
            result.failed++;
            resolve(undefined);
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => {
        result.failed++;
        resolve(undefined);
      });
      req.end(payload);
    });
  }
}
