// Scenario: login-profile for any app, driven by its target's session protocol (LoadConfig.scenarioOptions.protocol,
// scenarios/lib/protocol.ts): each person logs in (after a first request for a CSRF token when the protocol asks),
// reads what the app shows it, writes a field (when the protocol can), and checks every answer against its own
// record with the same verification model as login-profile.ts (docs/verification.md).
// Records: as login-profile.ts (endpoints login_form, login, profile_get, profile_set).
import { defineScenario, type HttpResult, type IterationContext } from "../load/scenario-api.ts";
import { isFailure } from "./lib/classify.ts";
import {
  endSession,
  newPerson,
  type Person,
  recordIndeterminateWrite,
  settleAfterRead,
  staleFields,
  startSession,
} from "./lib/person.ts";
import { csrfFromBody, judgeLogin, judgeRead, type Protocol, protocolSchema, requestBody } from "./lib/protocol.ts";

/** The fields a person's writes rotate over (as login-profile's k<iteration % 4>). */
const KEYS = ["k0", "k1", "k2", "k3"] as const;

interface State {
  person: Person;
  protocol: Protocol;
  writeCounter: number;
}

type Context = IterationContext<State>;

/** The protocol of the run, parsed once (every person of a worker shares the same options object). */
let parsedFor: unknown;
let parsed: Protocol | undefined;
function protocolOf(options: Record<string, unknown> | undefined): Protocol {
  const raw = options?.protocol;
  if (raw === undefined) throw new Error("protocol-profile needs the target's protocol (LoadConfig.scenarioOptions)");
  if (raw !== parsedFor || !parsed) {
    parsed = protocolSchema.parse(raw);
    parsedFor = raw;
  }
  return parsed;
}

/** The CSRF token of the login form, or undefined (recorded) when it could not be had. */
async function csrfToken({ state, http, record }: Context): Promise<string | undefined | null> {
  const csrf = state.protocol.login.csrf;
  if (!csrf) return undefined;
  const sent = await http.send("GET", csrf.path);
  const { answer } = sent;
  if (isFailure(answer.status)) {
    record.request("login_form", sent, judgeLogin(state.protocol, answer).cls, `HTTP ${answer.status}`);
    return null;
  }
  const token =
    "cookie" in csrf.from ? http.cookie(csrf.from.cookie, csrf.path) : csrfFromBody(state.protocol, answer.body);
  if (token === undefined) {
    record.request("login_form", sent, "other", `no CSRF token in the answer to GET ${csrf.path}`);
    return null;
  }
  record.request("login_form", sent, "ok");
  return token;
}

async function login(context: Context): Promise<boolean> {
  const { state, http, record } = context;
  const { person, protocol } = state;
  const token = await csrfToken(context);
  if (token === null) return false;
  const csrf = protocol.login.csrf;
  const headers = csrf?.header && token !== undefined ? { [csrf.header]: token } : undefined;
  const body = requestBody(protocol.login, { username: person.username, csrf: token ?? "" });
  const sent = await http.send(protocol.login.method, protocol.login.path, body, headers);
  const verdict = judgeLogin(protocol, sent.answer);
  record.request("login", sent, verdict.cls, verdict.reason);
  if (verdict.cls !== "ok") return false;
  startSession(person, sent.instance);
  record.sessionStarted(sent.instance);
  return true;
}

/** Checks an answer that shows the person's page; returns false when the iteration must stop. */
function checkPage(
  { state, record }: Context,
  sent: HttpResult,
  endpoint: "profile_get" | "profile_set",
  written?: { key: string; value: string },
): boolean {
  const { person, protocol } = state;
  const verdict = judgeRead(protocol, person.username, sent.answer, sent.location, true, KEYS);
  record.request(endpoint, sent, verdict.cls, verdict.reason);
  if (verdict.cls === "lost") {
    record.sessionLost(person.homeInstance, sent.instance);
    endSession(person);
    return false;
  }
  if (verdict.cls !== "ok" || !verdict.profile) {
    if (written && isFailure(sent.answer.status)) {
      record.indeterminateWrite();
      recordIndeterminateWrite(person, written.key, written.value);
    }
    return false;
  }
  if (staleFields(person, verdict.profile, written).length > 0) record.staleRead(endpoint);
  settleAfterRead(person, verdict.profile, written);
  return true;
}

export default defineScenario<State>({
  name: "protocol-profile",
  newState: (who, options) => ({ person: newPerson(who.username), protocol: protocolOf(options), writeCounter: 0 }),
  async iteration(context) {
    const { state, http, person: who, iteration } = context;
    const { protocol } = state;
    if (!state.person.loggedIn && !(await login(context))) return;
    if (!checkPage(context, await http.send(protocol.read.method, protocol.read.path), "profile_get")) return;
    const write = protocol.write;
    if (!write) return;
    const written = {
      key: KEYS[iteration % KEYS.length] as string,
      value: `v${who.vu}.${++state.writeCounter}.${Date.now()}`,
    };
    const sent = await http.send(write.method, write.path, requestBody(write, written));
    checkPage(context, sent, "profile_set", written);
  },
  /** Logs a logged-in person out (at the end of a warm-up, so that no session is left behind). */
  async end({ state, http }) {
    const logout = state.protocol.logout;
    if (!state.person.loggedIn || !logout) return;
    await http.send(logout.method, logout.path);
    endSession(state.person);
  },
});
