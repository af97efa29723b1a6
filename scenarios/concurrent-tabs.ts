// Scenario: each person of the pool is one logged-in user with several tabs open. Every iteration is a burst of
// overlapping requests: writes of distinct fields, a delete of a field an earlier burst wrote, and a read; then one
// read after the burst. Every operation is recorded (an `op` record holding scenarios/lib/ops.ts's JSON) so that the
// orchestrator's lost-update model (orchestrator/src/verdict/lost-updates.ts) can count the acknowledged writes a
// later read does not show.
//
// Records: as login-profile.ts (request, session-started, session-lost, indeterminate-write), plus `op`.
// No stale-read records: with overlapping requests, staleness is the lost-update model's to judge.
import { defineScenario, type HttpResult, type IterationContext, type Method } from "../load/scenario-api.ts";
import { isFailure, type RequestClass } from "./lib/classify.ts";
import type { OpRecord, OpResult } from "./lib/ops.ts";
import { endSession, judge, newPerson, type Person, startSession } from "./lib/person.ts";

/** Writes per burst (each its own field), and the fields a person's writes rotate over. */
const WRITES_PER_BURST = 4;
const FIELDS = 8;
/** A burst's requests at most: the writes, a delete and a read (as a browser's 6 connections per host). */
const TABS = WRITES_PER_BURST + 2;

interface State {
  person: Person;
  /** The person's session, counted from 1 at each login. */
  session: number;
  burst: number;
}

type Context = IterationContext<State>;
type Endpoint = "login" | "profile_get" | "profile_set" | "profile_delete";

interface Request {
  method: Method;
  path: string;
  endpoint: Endpoint;
  body?: object;
  /** What the verifier records of it. */
  op?: { op: OpRecord["op"]; k?: string; v?: string };
}

/** Records one request of a batch sent at `t0` whose last answer came at `t1`. */
function record({ state, record: recorder }: Context, request: Request, res: HttpResult, t0: number, t1: number): void {
  const { person } = state;
  const answer = res.answer;
  const verdict = judge(person, answer, request.endpoint !== "login");
  // A delete of a field that is not there (404) is an answer, not a harness bug.
  const cls: RequestClass = request.endpoint === "profile_delete" && answer.status === 404 ? "ok" : verdict.cls;
  recorder.request(request.endpoint, res, cls, verdict.reason);
  if (!request.op) return;
  let r: OpResult;
  if (isFailure(answer.status)) r = "indeterminate";
  else if (verdict.cls === "lost") r = "lost";
  else if (answer.status === 200 && verdict.cls === "ok") r = "ack";
  else r = "rejected";
  if (request.op.op === "write" && r === "indeterminate") recorder.indeterminateWrite();
  const op: OpRecord = { p: person.username, s: state.session, ...request.op, r, t0, t1 };
  if (request.op.op === "read" && r === "ack" && verdict.profile) op.shown = verdict.profile;
  recorder.op(op);
  if (verdict.cls === "lost" && person.loggedIn) {
    recorder.sessionLost(person.homeInstance, res.instance);
    endSession(person);
  }
}

/** Sends `requests` at once; records each, in order, with the batch's send time and its last answer's time. */
async function sendBatch(context: Context, requests: Request[]): Promise<void> {
  const results = await Promise.all(requests.map((r) => context.http.request(r.method, r.path, r.body)));
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  for (const res of results) {
    t0 = Math.min(t0, res.sentAt);
    t1 = Math.max(t1, res.t);
  }
  requests.forEach((request, i) => {
    const res = results[i];
    if (res) record(context, request, res, t0, t1);
  });
}

async function login(context: Context): Promise<boolean> {
  const { state, http } = context;
  const request: Request = {
    method: "POST",
    path: "/login",
    endpoint: "login",
    body: { username: state.person.username },
  };
  const res = await http.request(request.method, request.path, request.body);
  record(context, request, res, res.sentAt, res.t);
  if (judge(state.person, res.answer, false).cls !== "ok") return false;
  state.session++;
  startSession(state.person, res.instance);
  context.record.sessionStarted(res.instance);
  return true;
}

function readRequest(): Request {
  return { method: "GET", path: "/profile", endpoint: "profile_get", op: { op: "read" } };
}

export default defineScenario<State>({
  name: "concurrent-tabs",
  connectionsPerPerson: TABS,
  newState: (who) => ({ person: newPerson(who.username), session: 0, burst: 0 }),
  async iteration(context) {
    const { state, person: who } = context;
    if (!state.person.loggedIn && !(await login(context))) return;
    const burst = ++state.burst;
    // This burst's fields: WRITES_PER_BURST consecutive ones of FIELDS, moving on each burst; the delete takes the
    // field just before them, which the previous burst wrote.
    const first = (burst * WRITES_PER_BURST) % FIELDS;
    const requests: Request[] = [];
    for (let i = 0; i < WRITES_PER_BURST; i++) {
      const key = `f${(first + i) % FIELDS}`;
      const value = `v${who.vu}.${burst}.${i}`;
      requests.push({
        method: "POST",
        path: "/profile",
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
        endpoint: "profile_delete",
        op: { op: "delete", k: key },
      });
    }
    requests.push(readRequest());
    await sendBatch(context, requests);
    if (!state.person.loggedIn) return;
    // The read after the burst: every write the burst had acknowledged should be there.
    await sendBatch(context, [readRequest()]);
  },
  /** Logs a logged-in person out (asked for at the end of a warm-up, so that no session is left behind). */
  async end({ state, http }) {
    if (!state.person.loggedIn) return;
    await http.request("POST", "/logout");
    endSession(state.person);
  },
});
