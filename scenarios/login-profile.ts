// Scenario: each person of the pool is one logged-in user who reads and writes its profile and checks every answer
// against its own record (docs/verification.md). Records (load/api.ts LoadRecord):
//   request              one per HTTP request: endpoint (login, profile_get, profile_set), instance, class, ms,
//                        Server-Timing store/lock time for answered requests (class ok or lost)
//   session-started      a login answered 200 for this person (instance = the one that served it)
//   session-lost         a request with a session got a 401 or another user's profile (home = the session's start)
//   stale-read           a profile answer with any stale field
//   indeterminate-write  a profile write that failed (transport error or 5xx)
import { defineScenario, type HttpResult, type IterationContext } from "../load/scenario-api.ts";
import { isFailure } from "./lib/classify.ts";
import {
  endSession,
  judge,
  newPerson,
  type Person,
  type Profile,
  recordIndeterminateWrite,
  settleAfterRead,
  staleFields,
  startSession,
} from "./lib/person.ts";

interface State {
  person: Person;
  /** Writes so far: part of each written value, so that every value is unique. */
  writeCounter: number;
}

type Context = IterationContext<State>;
type Endpoint = "login" | "profile_get" | "profile_set";

async function login({ state, http, record }: Context): Promise<boolean> {
  const { person } = state;
  const sent = await http.request("POST", "/login", { username: person.username });
  const verdict = judge(person, sent.answer, false);
  record.request("login", sent, verdict.cls, verdict.reason);
  if (verdict.cls !== "ok") return false;
  startSession(person, sent.instance);
  record.sessionStarted(sent.instance);
  return true;
}

/** Checks a profile answer of a healthy session; returns false when the iteration must stop. */
function checkProfile(
  { state, record }: Context,
  sent: HttpResult,
  endpoint: Endpoint,
  written?: { key: string; value: string },
): boolean {
  const { person } = state;
  const verdict = judge(person, sent.answer, true);
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
  const shown: Profile = verdict.profile;
  if (staleFields(person, shown, written).length > 0) record.staleRead(endpoint);
  settleAfterRead(person, shown, written);
  return true;
}

export default defineScenario<State>({
  name: "login-profile",
  newState: (who) => ({ person: newPerson(who.username), writeCounter: 0 }),
  async iteration(context) {
    const { state, http, person: who, iteration } = context;
    if (!state.person.loggedIn && !(await login(context))) return;
    if (!checkProfile(context, await http.request("GET", "/profile"), "profile_get")) return;
    const written = { key: `k${iteration % 4}`, value: `v${who.vu}.${++state.writeCounter}.${Date.now()}` };
    checkProfile(context, await http.request("POST", "/profile", written), "profile_set", written);
  },
  /** Logs a logged-in person out (asked for at the end of a warm-up, so that no session is left behind). */
  async end({ state, http }) {
    if (!state.person.loggedIn) return;
    await http.request("POST", "/logout");
    endSession(state.person);
  },
});
