// One share of a load run (the whole run with one worker): its people, its arrivals, their iterations and records;
// the stop rules (end of the schedule, a signal, a hard stop after the grace period).
import { FAILED_CLASSES, type RequestClass } from "../scenarios/lib/classify.ts";
import type { OpRecord } from "../scenarios/lib/ops.ts";
import { serverTimingMs } from "../scenarios/lib/server-timing.ts";
import type { LiveCounts, LoadConfig, LoadRecord } from "./api.ts";
import { clock, EngineStopped, HttpPool } from "./http-client.ts";
import type { HttpResult, IterationContext, PersonInfo, Recorder, ScenarioDefinition } from "./scenario-api.ts";
import { ArrivalLoop, FreeList, workerShare } from "./schedule.ts";
import { SecondStats } from "./seconds.ts";

/** Where a share's records go: the records file itself, or a worker's batches to the main thread. */
export interface RecordSink {
  write(record: LoadRecord): void;
}

/** Messages logged at most, per person (scenario warnings) and per share (iterations that threw). */
export const MAX_WARNINGS = 20;
/** The request record of an iteration that threw: endpoint "iteration", class other. */
export const ITERATION_ENDPOINT = "iteration";

const FAILED: ReadonlySet<string> = new Set(FAILED_CLASSES);

export function emptyCounts(): LiveCounts {
  return { iterations: 0, dropped: 0, requests: 0, failed: 0, sessionsLost: 0 };
}

export interface ShareOptions {
  config: LoadConfig;
  scenario: ScenarioDefinition<unknown>;
  /** Epoch ms of arrival 0. */
  t0: number;
  worker: number;
  workers: number;
  sink: RecordSink;
  log(message: string): void;
}

/** One person of the pool: its state and its own client, recorder and context, made once. */
class Slot implements Recorder {
  readonly context: IterationContext<unknown>;
  iterations = 0;
  warnings = 0;
  startedAt = 0;
  readonly done: () => void;
  readonly fail: (error: unknown) => void;

  constructor(
    private readonly share: EngineShare,
    readonly info: PersonInfo,
    state: unknown,
    http: HttpPool,
  ) {
    this.context = { state, person: info, iteration: 0, http: http.client(), record: this };
    this.done = () => share.iterationEnded(this);
    this.fail = (error: unknown) => share.iterationFailed(this, error);
  }

  request(endpoint: string, result: HttpResult, cls: RequestClass, reason?: string): void {
    const counts = this.share.counts;
    counts.requests++;
    if (FAILED.has(cls)) counts.failed++;
    this.share.seconds.request(result.t, result.ms, cls);
    let storeMs: number | null = null;
    let lockMs: number | null = null;
    // Only for answered requests, the ones whose latency percentiles the verdict reports.
    if ((cls === "ok" || cls === "lost") && result.serverTiming !== undefined) {
      storeMs = serverTimingMs(result.serverTiming, "store");
      if (storeMs !== null) lockMs = serverTimingMs(result.serverTiming, "lock");
    }
    this.share.sink.write({
      kind: "request",
      t: result.t,
      endpoint,
      instance: result.instance,
      cls,
      ms: result.ms,
      storeMs,
      lockMs,
      person: this.info.index,
    });
    if (cls === "client_error" || cls === "other") this.warn(`${endpoint}: ${cls}: ${reason ?? ""}`);
  }

  sessionStarted(instance: string): void {
    this.share.sink.write({ kind: "session-started", t: clock(), instance, person: this.info.index });
  }

  sessionLost(home: string, instance: string): void {
    this.share.counts.sessionsLost++;
    this.share.sink.write({ kind: "session-lost", t: clock(), home, instance, person: this.info.index });
  }

  staleRead(endpoint: string): void {
    this.share.sink.write({ kind: "stale-read", t: clock(), endpoint, person: this.info.index });
  }

  indeterminateWrite(): void {
    this.share.sink.write({ kind: "indeterminate-write", t: clock(), person: this.info.index });
  }

  op(op: OpRecord): void {
    this.share.sink.write({ kind: "op", t: op.t1, op: JSON.stringify(op), person: this.info.index });
  }

  warn(message: string): void {
    if (this.warnings++ < MAX_WARNINGS) this.share.log(`[${this.info.username}] ${message}`);
  }
}

/**
 * Runs arrivals w, w + n, ... over people [first, end). At the end of the schedule (or on stop()) no iteration
 * starts; those in flight get `requestTimeoutMs` to finish, after which the share stops hard: connections are
 * destroyed and what was still in flight is not recorded. `finished` resolves with the counts.
 */
export class EngineShare {
  readonly counts = emptyCounts();
  readonly seconds: SecondStats;
  readonly sink: RecordSink;
  readonly finished: Promise<LiveCounts>;
  private readonly http: HttpPool;
  private readonly slots: Slot[] = [];
  private readonly free: FreeList;
  private readonly loop: ArrivalLoop;
  private readonly firstPerson: number;
  private inFlight = 0;
  private scheduleOver = false;
  private resolveFinished!: (counts: LiveCounts) => void;
  private timer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private iterationErrors = 0;
  private closed = false;
  private endRun = false;

  constructor(private readonly options: ShareOptions) {
    const { config, scenario, worker, workers } = options;
    this.sink = options.sink;
    this.seconds = new SecondStats(options.t0);
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
    const { first, end } = workerShare(config.sessions, workers, worker);
    this.firstPerson = first;
    this.http = new HttpPool({
      baseUrl: config.baseUrl,
      connections: Math.max(1, (end - first) * (scenario.connectionsPerPerson ?? 1)),
      requestTimeoutMs: config.requestTimeoutMs,
    });
    const people: number[] = [];
    for (let index = first; index < end; index++) {
      const info: PersonInfo = { index, vu: index + 1, username: `${config.runId}-u${index + 1}` };
      this.slots.push(new Slot(this, info, scenario.newState(info, config.scenarioOptions), this.http));
      people.push(index);
    }
    this.free = new FreeList(people);
    this.loop = new ArrivalLoop(options.t0, config.rate, config.durationMs, worker, workers, this.free, {
      now: clock,
      later: (fn, delayMs) => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(fn, Math.max(0, delayMs));
      },
      start: (_i, person, scheduled, started) => this.startIteration(person, scheduled, started),
      drop: (_i, scheduled) => {
        this.counts.dropped++;
        this.seconds.dropped(scheduled);
        this.sink.write({ kind: "dropped", t: scheduled });
      },
      finished: () => this.scheduleEnded(),
    });
  }

  log(message: string): void {
    this.options.log(message);
  }

  /** Starts the arrivals (the first at t0). */
  begin(): void {
    this.timer = setTimeout(this.loop.tick, Math.max(0, this.options.t0 - clock()));
  }

  private startIteration(person: number, scheduled: number, started: number): void {
    const slot = this.slots[person - this.firstPerson] as Slot;
    this.inFlight++;
    this.counts.iterations++;
    this.seconds.iteration(scheduled);
    this.sink.write({ kind: "iteration", scheduled, started, person });
    slot.startedAt = started;
    slot.context.iteration = slot.iterations++;
    try {
      this.options.scenario.iteration(slot.context).then(slot.done, slot.fail);
    } catch (error) {
      slot.fail(error);
    }
  }

  iterationEnded(slot: Slot): void {
    this.inFlight--;
    if (!this.scheduleOver) this.free.give(slot.info.index);
    this.maybeFinish();
  }

  iterationFailed(slot: Slot, error: unknown): void {
    if (!(error instanceof EngineStopped)) {
      const t = clock();
      this.counts.requests++;
      this.counts.failed++;
      this.seconds.request(t, t - slot.startedAt, "other");
      this.sink.write({
        kind: "request",
        t,
        endpoint: ITERATION_ENDPOINT,
        instance: "none",
        cls: "other",
        ms: t - slot.startedAt,
        storeMs: null,
        lockMs: null,
        person: slot.info.index,
      });
      if (this.iterationErrors++ < MAX_WARNINGS) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        this.log(`[${slot.info.username}] the iteration threw (counted as a failed request, class other): ${message}`);
      }
    }
    this.iterationEnded(slot);
  }

  /** No new iterations; new requests refused; what is in flight gets the grace period. */
  stop(): void {
    this.http.acceptingRequests = false;
    this.loop.stop();
  }

  /** Arrivals at `rate` from `at` (epoch ms) on; false when the schedule is over. */
  setRate(rate: number, at: number): boolean {
    return this.loop.setRate(rate, at);
  }

  /** Ends now: connections destroyed, answers still in flight not recorded. */
  hardStop(): void {
    this.http.acceptingRequests = false;
    this.http.hardStopped = true;
    this.loop.stop();
    void this.http.destroy().catch(() => {});
    // An iteration stuck outside HTTP (a scenario bug) must not keep the run alive.
    setTimeout(() => {
      this.inFlight = 0;
      this.maybeFinish();
    }, 2000).unref();
  }

  private scheduleEnded(): void {
    this.scheduleOver = true;
    if (this.timer) clearTimeout(this.timer);
    this.graceTimer = setTimeout(() => this.hardStop(), this.options.config.requestTimeoutMs);
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (!this.scheduleOver || this.inFlight > 0 || this.closed) return;
    const scenario = this.options.scenario;
    if (scenario.end && this.options.config.logoutAtEnd && !this.endRun && !this.http.hardStopped) {
      // Every person's end (log out), within a fresh grace period; then finish.
      this.endRun = true;
      this.http.acceptingRequests = true;
      if (this.graceTimer) clearTimeout(this.graceTimer);
      this.graceTimer = setTimeout(() => this.hardStop(), this.options.config.requestTimeoutMs);
      this.inFlight++;
      const ends = this.slots.map((slot) => Promise.resolve().then(() => scenario.end?.(slot.context)));
      void Promise.allSettled(ends).then(() => {
        this.inFlight--;
        this.maybeFinish();
      });
      return;
    }
    this.closed = true;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    void this.http.pool
      .close()
      .catch(() => {})
      .then(() => this.resolveFinished(this.counts));
  }
}
