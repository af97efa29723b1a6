// The load engine's contract with its callers (the orchestrator's run, warm-up and rate check, the
// benches): a config in; a records file and live counts out. Types only: both sides import them.
import type { RequestClass } from "../scenarios/lib/classify.ts";

/** What one engine process runs: a scenario over a fixed pool of people at a constant arrival rate. */
export interface LoadConfig {
  /** A scenario name (`scenarios/<name>.ts`) or a path to a scenario module. */
  scenario: string;
  /** The balancer's URL, e.g. http://127.0.0.1:8080 (loopback only, unless `allowRemote`). */
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
  /**
   * On a clean stop (end of the duration, SIGTERM/SIGINT, a `stop` message), once no iteration is in flight, run
   * the scenario's `end` for every person (login-profile, concurrent-tabs: log out a logged-in person), within
   * the request timeout. Default false. Not recorded.
   */
  logoutAtEnd?: boolean;
  /**
   * The balancer is off this machine (an ec2 run's load balancer, whose platform descriptor says `remoteLoad`):
   * any http:// host is taken. Default false: loopback only, so that no local run can load another machine.
   */
  allowRemote?: boolean;
  /**
   * What the scenario is told, as JSON (the target's session protocol, which protocol-profile follows); given to
   * its newState. Default: nothing.
   */
  scenarioOptions?: Record<string, unknown>;
}

/** Counts so far, as the engine sends them to its parent about once a second and at the end. */
export interface LiveCounts {
  iterations: number;
  dropped: number;
  requests: number;
  failed: number;
  sessionsLost: number;
}

/**
 * One whole second of the run, sent once it is over: second s covers [t, t + 1000) with t = t0 + 1000 s.
 * Iterations and drops by their scheduled time; requests by the time their answer (or error) came.
 */
export interface SecondFigures {
  /** Epoch ms of the second's start. */
  t: number;
  iterations: number;
  dropped: number;
  requests: number;
  /** Failed requests: a transport error, a 5xx, or other (the classes of scenarios/lib/classify.ts FAILED_CLASSES). */
  failed: number;
  /** Latency percentiles (ms) of the answered requests (class ok, lost or client_error); null when there were none. */
  p50: number | null;
  p95: number | null;
}

/** Messages from the engine process to its parent (Node IPC, `process.send`). */
export type LoadMessage =
  | { type: "started"; t0: number }
  | ({ type: "progress" } & LiveCounts)
  | ({ type: "second" } & SecondFigures)
  | ({ type: "done" } & LiveCounts)
  | { type: "error"; message: string };

/**
 * Messages from the parent to the engine process (Node IPC). `set-rate`: from about now on, arrivals come at
 * `rate` per second (the people keep their sessions; the run still ends at t0 + durationMs). `stop`: as SIGTERM.
 */
export type LoadControl = { type: "set-rate"; rate: number } | { type: "stop" };

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
