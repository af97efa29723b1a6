// k6 scenario: each VU is one logged-in person who reads and writes its profile and checks every
// answer against its own record (DESIGN.md "The scenario's verification model").
//
// Metric contract read by the orchestrator (orchestrator/src/verdict/aggregate.ts); the names are
// lib/metrics.ts (METRIC), which both sides import:
//   fh_req                   Trend (ms), one sample per HTTP request; tags endpoint, instance, class
//   fh_sessions_started      Counter; tag instance (the one that served the login)
//   fh_sessions_lost         Counter; tags home (instance that started the session), instance
//   fh_reads_stale           Counter; one per profile answer with any stale field; tag endpoint
//   fh_writes_indeterminate  Counter; one per profile write that failed (transport error or 5xx)
//   fh_requests_failed       Counter; one per failed request (for live progress); tag class
//   fh_store                 Trend (ms), one sample per answered request (class ok or lost) whose
//                            Server-Timing header has `store;dur=`: the app's time in the session
//                            store; tags endpoint, instance
import http, { type RefinedResponse, type ResponseType } from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { FAILED_CLASSES, isFailure, type RequestClass } from "./lib/classify.ts";
import { readConfig } from "./lib/config.ts";
import { METRIC } from "./lib/metrics.ts";
import { openModelOptions } from "./lib/options.ts";
import {
  type Answer,
  endSession,
  judge,
  newPerson,
  type Profile,
  recordIndeterminateWrite,
  settleAfterRead,
  staleFields,
  startSession,
} from "./lib/person.ts";
import { serverTimingMs } from "./lib/server-timing.ts";
import { textSummary } from "./lib/summary.ts";

const config = readConfig(__ENV);

export const options: Options = openModelOptions("login_profile", config);

const fhReq = new Trend(METRIC.req, true);
const fhStore = new Trend(METRIC.store, true);
const sessionsStarted = new Counter(METRIC.sessionsStarted);
const sessionsLost = new Counter(METRIC.sessionsLost);
const readsStale = new Counter(METRIC.readsStale);
const writesIndeterminate = new Counter(METRIC.writesIndeterminate);
const requestsFailed = new Counter(METRIC.requestsFailed);
const failedClasses: readonly string[] = FAILED_CLASSES;

type Endpoint = "login" | "profile_get" | "profile_set";

// Module-level state is per VU in k6: this VU's person, kept across iterations.
const person = newPerson(`${config.runId}-u${__VU}`);
let writeCounter = 0;
let warnings = 0;

const headers = { "Content-Type": "application/json", Accept: "application/json" };
// A lost session's 401 is an answer, not a transport failure: keep it out of http_req_failed.
const responseCallback = http.expectedStatuses({ min: 200, max: 399 }, 401);

function warn(message: string): void {
  if (warnings++ < 20) console.warn(`[${person.username}] ${message}`);
}

interface Sent {
  answer: Answer;
  instance: string;
  ms: number;
  /** The app's time in the session store (Server-Timing `store;dur=`), null when it sent none. */
  storeMs: number | null;
}

function send(method: string, path: string, name: string, endpoint: Endpoint, body?: object): Sent {
  const started = Date.now();
  const res: RefinedResponse<ResponseType | undefined> = http.request(
    method,
    `${config.baseUrl}${path}`,
    body === undefined ? null : JSON.stringify(body),
    { headers, timeout: config.requestTimeout, tags: { name, endpoint }, responseCallback },
  );
  const elapsed = Date.now() - started;
  return {
    answer: { status: res.status, errorCode: res.error_code, error: res.error, body: res.body },
    instance: res.headers["X-Instance-Id"] || "none",
    // A transport error has no meaningful timings; use the time the call took.
    ms: res.status === 0 ? elapsed : res.timings.duration,
    storeMs: serverTimingMs(res.headers["Server-Timing"], "store"),
  };
}

function recordRequest(sent: Sent, endpoint: Endpoint, cls: RequestClass, reason?: string): void {
  fhReq.add(sent.ms, { endpoint, instance: sent.instance, class: cls });
  // Only for answered requests, the same ones fh_req's latency percentiles cover.
  if ((cls === "ok" || cls === "lost") && sent.storeMs !== null) {
    fhStore.add(sent.storeMs, { endpoint, instance: sent.instance });
  }
  if (failedClasses.includes(cls)) requestsFailed.add(1, { class: cls });
  if (cls === "client_error" || cls === "other") warn(`${endpoint}: ${cls}: ${reason ?? ""}`);
}

function loseSession(sent: Sent): void {
  sessionsLost.add(1, { home: person.homeInstance, instance: sent.instance });
  endSession(person);
}

function login(): boolean {
  const sent = send("POST", "/login", "/login", "login", { username: person.username });
  const verdict = judge(person, sent.answer, false);
  recordRequest(sent, "login", verdict.cls, verdict.reason);
  if (verdict.cls !== "ok") return false;
  startSession(person, sent.instance);
  sessionsStarted.add(1, { instance: sent.instance });
  return true;
}

/** Checks a profile answer of a healthy session; returns false when the iteration must stop. */
function checkProfile(sent: Sent, endpoint: Endpoint, written?: { key: string; value: string }): boolean {
  const verdict = judge(person, sent.answer, true);
  recordRequest(sent, endpoint, verdict.cls, verdict.reason);
  if (verdict.cls === "lost") {
    loseSession(sent);
    return false;
  }
  if (verdict.cls !== "ok" || !verdict.profile) {
    if (written && isFailure(sent.answer.status)) {
      writesIndeterminate.add(1);
      recordIndeterminateWrite(person, written.key, written.value);
    }
    return false;
  }
  const shown: Profile = verdict.profile;
  const stale = staleFields(person, shown, written);
  if (stale.length > 0) readsStale.add(1, { endpoint });
  settleAfterRead(person, shown, written);
  return true;
}

export default function (): void {
  if (!person.loggedIn && !login()) return;
  if (!checkProfile(send("GET", "/profile", "/profile", "profile_get"), "profile_get")) return;
  const written = { key: `k${__ITER % 4}`, value: `v${__VU}.${++writeCounter}.${Date.now()}` };
  checkProfile(send("POST", "/profile", "/profile", "profile_set", written), "profile_set", written);
}

/** Writes k6's summary JSON to SUMMARY_PATH when set; a short text summary to stdout always. */
export function handleSummary(data: Parameters<typeof textSummary>[0]) {
  const outputs: Record<string, string> = { stdout: textSummary(data) };
  if (config.summaryPath) outputs[config.summaryPath] = JSON.stringify(data, null, 2);
  return outputs;
}
