// k6 scenario: each VU is one logged-in person with several tabs open. Every iteration is a burst of overlapping
// requests (http.batch): writes of distinct fields, a delete of a field an earlier burst wrote, and a read, then
// one read after the burst. Every operation is recorded (fh_op, the operation in the sample's metadata) so that
// the orchestrator's lost-update model (orchestrator/src/verdict/lost-updates.ts) can count the acknowledged
// writes a later read does not show.
//
// Metric contract: as login-profile.ts (fh_req, fh_store, fh_sessions_started, fh_sessions_lost,
// fh_writes_indeterminate, fh_requests_failed), plus
//   fh_op   Counter, one per profile operation; tag op; metadata op = JSON OpRecord (scenarios/lib/ops.ts)
//   fh_lock Trend (ms), per answered request whose Server-Timing has `lock;dur=` (locking stores): the lock wait
// fh_reads_stale is not recorded: with overlapping requests, staleness is the lost-update model's to judge.
import exec from "k6/execution";
import http, { type RefinedResponse, type ResponseType } from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { FAILED_CLASSES, isFailure, type RequestClass } from "./lib/classify.ts";
import { readConfig } from "./lib/config.ts";
import { METRIC } from "./lib/metrics.ts";
import { OP_METADATA_KEY, type OpRecord, type OpResult } from "./lib/ops.ts";
import { openModelOptions } from "./lib/options.ts";
import { type Answer, endSession, judge, newPerson, startSession } from "./lib/person.ts";
import { serverTimingMs } from "./lib/server-timing.ts";
import { textSummary } from "./lib/summary.ts";

const config = readConfig(__ENV);
/** Writes per burst (each its own field), and the fields a person's writes rotate over. */
const WRITES_PER_BURST = 4;
const FIELDS = 8;

export const options: Options = openModelOptions("concurrent_tabs", config, {
  // The batch's requests go out at once, as the tabs of one browser would (6 connections per host).
  batchPerHost: 6,
});

const fhReq = new Trend(METRIC.req, true);
const fhStore = new Trend(METRIC.store, true);
const fhOp = new Counter(METRIC.op);
const fhLock = new Trend(METRIC.lock, true);
const sessionsStarted = new Counter(METRIC.sessionsStarted);
const sessionsLost = new Counter(METRIC.sessionsLost);
const writesIndeterminate = new Counter(METRIC.writesIndeterminate);
const requestsFailed = new Counter(METRIC.requestsFailed);
const failedClasses: readonly string[] = FAILED_CLASSES;

type Endpoint = "login" | "profile_get" | "profile_set" | "profile_delete";

const person = newPerson(`${config.runId}-u${__VU}`);
let session = 0;
let burst = 0;
let warnings = 0;

const headers = { "Content-Type": "application/json", Accept: "application/json" };
const responseCallback = http.expectedStatuses({ min: 200, max: 399 }, 401, 404);

function warn(message: string): void {
  if (warnings++ < 20) console.warn(`[${person.username}] ${message}`);
}

interface Request {
  method: string;
  path: string;
  name: string;
  endpoint: Endpoint;
  body?: object;
  /** What the verifier records of it. */
  op?: { op: OpRecord["op"]; k?: string; v?: string };
}

function params(request: Request) {
  return {
    headers,
    timeout: config.requestTimeout,
    tags: { name: request.name, endpoint: request.endpoint },
    responseCallback,
  };
}

function answerOf(res: RefinedResponse<ResponseType | undefined>): Answer {
  return { status: res.status, errorCode: res.error_code, error: res.error, body: res.body };
}

function record(request: Request, res: RefinedResponse<ResponseType | undefined>, t0: number, t1: number): void {
  const answer = answerOf(res);
  const instance = res.headers["X-Instance-Id"] || "none";
  const verdict = judge(person, answer, request.endpoint !== "login");
  // A delete of a field that is not there (404) is an answer, not a harness bug.
  const cls: RequestClass = request.endpoint === "profile_delete" && answer.status === 404 ? "ok" : verdict.cls;
  const ms = res.status === 0 ? t1 - t0 : res.timings.duration;
  fhReq.add(ms, { endpoint: request.endpoint, instance, class: cls });
  const storeMs = serverTimingMs(res.headers["Server-Timing"], "store");
  if ((cls === "ok" || cls === "lost") && storeMs !== null) {
    fhStore.add(storeMs, { endpoint: request.endpoint, instance });
    // Locking stores say how long the request waited for its session's lock.
    const lockMs = serverTimingMs(res.headers["Server-Timing"], "lock");
    if (lockMs !== null) fhLock.add(lockMs, { endpoint: request.endpoint, instance });
  }
  if (failedClasses.includes(cls)) requestsFailed.add(1, { class: cls });
  if (cls === "client_error" || cls === "other") warn(`${request.endpoint}: ${cls}: ${verdict.reason ?? ""}`);
  if (!request.op) return;
  let r: OpResult;
  if (isFailure(answer.status)) r = "indeterminate";
  else if (verdict.cls === "lost") r = "lost";
  else if (answer.status === 200 && verdict.cls === "ok") r = "ack";
  else r = "rejected";
  if (request.op.op === "write" && r === "indeterminate") writesIndeterminate.add(1);
  const op: OpRecord = { p: person.username, s: session, ...request.op, r, t0, t1 };
  if (request.op.op === "read" && r === "ack" && verdict.profile) op.shown = verdict.profile;
  exec.vu.metrics.metadata[OP_METADATA_KEY] = JSON.stringify(op);
  fhOp.add(1, { op: request.op.op });
  delete exec.vu.metrics.metadata[OP_METADATA_KEY];
  if (verdict.cls === "lost" && person.loggedIn) {
    sessionsLost.add(1, { home: person.homeInstance, instance });
    endSession(person);
  }
}

function login(): boolean {
  const request: Request = {
    method: "POST",
    path: "/login",
    name: "/login",
    endpoint: "login",
    body: { username: person.username },
  };
  const t0 = Date.now();
  const res = http.request(
    request.method,
    `${config.baseUrl}${request.path}`,
    JSON.stringify(request.body),
    params(request),
  );
  const t1 = Date.now();
  record(request, res, t0, t1);
  if (judge(person, answerOf(res), false).cls !== "ok") return false;
  const instance = res.headers["X-Instance-Id"] || "none";
  session++;
  startSession(person, instance);
  sessionsStarted.add(1, { instance });
  return true;
}

function readRequest(): Request {
  return { method: "GET", path: "/profile", name: "/profile", endpoint: "profile_get", op: { op: "read" } };
}

/** Sends `requests` at once; records each with the batch's send time and return time. */
function sendBatch(requests: Request[]): void {
  const t0 = Date.now();
  const responses = http.batch(
    requests.map((request) => ({
      method: request.method,
      url: `${config.baseUrl}${request.path}`,
      body: request.body === undefined ? null : JSON.stringify(request.body),
      params: params(request),
    })),
  );
  const t1 = Date.now();
  requests.forEach((request, i) => {
    const res = responses[i];
    if (res) record(request, res, t0, t1);
  });
}

export default function (): void {
  if (!person.loggedIn && !login()) return;
  burst++;
  // This burst's fields: WRITES_PER_BURST consecutive ones of FIELDS, moving on each burst; the delete takes the
  // field just before them, which the previous burst wrote.
  const first = (burst * WRITES_PER_BURST) % FIELDS;
  const requests: Request[] = [];
  for (let i = 0; i < WRITES_PER_BURST; i++) {
    const key = `f${(first + i) % FIELDS}`;
    const value = `v${__VU}.${burst}.${i}`;
    requests.push({
      method: "POST",
      path: "/profile",
      name: "/profile",
      endpoint: "profile_set",
      body: { key, value },
      op: { op: "write", k: key, v: value },
    });
  }
  if (burst > 1) {
    const key = `f${(first + FIELDS - 1) % FIELDS}`;
    requests.push({
      method: "DELETE",
      path: `/profile/${key}`,
      name: "/profile/:key",
      endpoint: "profile_delete",
      op: { op: "delete", k: key },
    });
  }
  requests.push(readRequest());
  sendBatch(requests);
  if (!person.loggedIn) return;
  // The read after the burst: every write the burst had acknowledged should be there.
  sendBatch([readRequest()]);
}

export function handleSummary(data: Parameters<typeof textSummary>[0]) {
  const outputs: Record<string, string> = { stdout: textSummary(data) };
  if (config.summaryPath) outputs[config.summaryPath] = JSON.stringify(data, null, 2);
  return outputs;
}
