// The load engine's contract with its callers (the orchestrator's run, warm-up and rate check, the
// benches): a config in; a records file and live counts out. Types only: both sides import them.
import type { RequestClass } from "../scenarios/lib/classify.ts";

/** What one engine process runs: a scenario over a fixed pool of people at a constant arrival rate. */
export interface LoadConfig {
  /** A scenario name (`scenarios/<name>.ts`) or a path to a scenario module. */
  scenario: string;
  /** The balancer's URL, e.g. http://127.0.0.1:8080 (loopback only). */
  baseUrl: string;
  /** Iterations started per second (open model). */
  rate: number;
  /** The pool of people; one person runs at most one iteration at a time. */
  sessions: number;
  durationMs: number;
  requestTimeoutMs: number;
  /** Prefix of every username, so that two runs never share a user. */
  runId: string;
  /** Worker threads, each owning a share of the people (default 1). */
  workers: number;
  /** Where the records are streamed (gzip when it ends in .gz). */
  recordsFile: string;
}

/** Counts so far, as the engine sends them to its parent about once a second and at the end. */
export interface LiveCounts {
  iterations: number;
  dropped: number;
  requests: number;
  failed: number;
  sessionsLost: number;
}

/** Messages from the engine process to its parent (Node IPC, `process.send`). */
export type LoadMessage =
  | { type: "started"; t0: number }
  | ({ type: "progress" } & LiveCounts)
  | ({ type: "done" } & LiveCounts)
  | { type: "error"; message: string };

/**
 * One record of the records file. Times are epoch ms (fractions allowed). A request's `t` is when
 * its answer (or transport error) arrived, as k6 stamped its samples; it started at `t - ms`.
 * `person` is the person's index in the pool (0-based, over all workers).
 */
export type LoadRecord =
  | {
      kind: "request";
      t: number;
      endpoint: string;
      /** X-Instance-Id of the answer, "none" when it has none (a transport error, the balancer's own answer). */
      instance: string;
      cls: RequestClass;
      ms: number;
      /** Server-Timing `store;dur=`, null when absent. */
      storeMs: number | null;
      /** Server-Timing `lock;dur=`, null when absent. */
      lockMs: number | null;
      person: number;
    }
  | { kind: "session-started"; t: number; instance: string; person: number }
  | { kind: "session-lost"; t: number; home: string; instance: string; person: number }
  | { kind: "stale-read"; t: number; endpoint: string; person: number }
  | { kind: "indeterminate-write"; t: number; person: number }
  /** A lost-update operation (concurrent-tabs): `op` is scenarios/lib/ops.ts's JSON. */
  | { kind: "op"; t: number; op: string; person: number }
  /** An iteration that ran: its scheduled and actual start (start lag = started - scheduled). */
  | { kind: "iteration"; scheduled: number; started: number; person: number }
  /** An iteration that was due with no free person: counted at its scheduled time. */
  | { kind: "dropped"; t: number };
