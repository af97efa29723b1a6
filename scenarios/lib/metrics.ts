// The scenario's metric names: the one list k6 (login-profile.ts) records under and the
// orchestrator (verdict/aggregate.ts, verdict/read-samples.ts, run/run-scenario.ts) reads.
// Plain constants only, so k6 can import it as it is (no Node, no orchestrator code).

/** The metrics the scenario defines (what each records: login-profile.ts, "Metric contract"). */
export const METRIC = {
  /** Trend (ms), one sample per HTTP request; tags endpoint, instance, class. */
  req: "fh_req",
  /** Trend (ms): the app's time in the session store (Server-Timing `store;dur=`). */
  store: "fh_store",
  /** Counter; tag instance (the one that served the login). */
  sessionsStarted: "fh_sessions_started",
  /** Counter; tags home (instance that started the session), instance. */
  sessionsLost: "fh_sessions_lost",
  /** Counter; one per profile answer with any stale field. */
  readsStale: "fh_reads_stale",
  /** Counter; one per profile write that failed (transport error or 5xx). */
  writesIndeterminate: "fh_writes_indeterminate",
  /** Counter; one per failed request, for live progress only (fh_req's class tag is the record). */
  requestsFailed: "fh_requests_failed",
  /**
   * Counter (concurrent-tabs.ts): one per profile operation, tag op (write, delete, read); the sample's metadata
   * `op` holds the operation as JSON (scenarios/lib/ops.ts), for the lost-update model.
   */
  op: "fh_op",
  /** Trend (ms): the part of the store time spent waiting for the session's lock (Server-Timing `lock;dur=`). */
  lock: "fh_lock",
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** k6's own metric the verdict reads: iterations the arrival-rate executor could not start. */
export const K6_DROPPED_ITERATIONS = "dropped_iterations";
