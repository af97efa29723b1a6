// The scenario's per-person checks (scenarios/lib/person.ts, classify.ts): pure, no server.
import { describe, expect, it } from "vitest";
import {
  type Answer,
  endSession,
  judge,
  newPerson,
  recordIndeterminateWrite,
  settleAfterRead,
  staleFields,
  startSession,
} from "../lib/person.ts";

function ok(username: string, profile: Record<string, string>): Answer {
  return { status: 200, errorCode: "", error: "", body: JSON.stringify({ username, profile, instance: "app-1" }) };
}
const unauthorized: Answer = { status: 401, errorCode: "", error: "", body: '{"error":"not logged in"}' };

function loggedIn() {
  const person = newPerson("run-u1");
  startSession(person, "app-1");
  return person;
}

describe("judge", () => {
  it("a 401 or another user's profile on a request with a session is a lost session", () => {
    const person = loggedIn();
    expect(judge(person, unauthorized, true).cls).toBe("lost");
    expect(judge(person, ok("run-u2", {}), true).cls).toBe("lost");
  });

  it("a 401 without a session is a client error (a harness bug), not a loss", () => {
    expect(judge(newPerson("run-u1"), unauthorized, false).cls).toBe("client_error");
  });

  it("classifies transport errors and 5xx", () => {
    const person = loggedIn();
    const transport = (errorCode: string, error: string): Answer => ({ status: 0, errorCode, error, body: null });
    expect(judge(person, transport("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:8080"), true).cls).toBe("refused");
    expect(judge(person, transport("ECONNRESET", "read ECONNRESET"), true).cls).toBe("reset");
    expect(judge(person, transport("UND_ERR_HEADERS_TIMEOUT", "Headers Timeout Error"), true).cls).toBe("timeout");
    expect(judge(person, transport("UND_ERR_SOCKET", "other side closed"), true).cls).toBe("reset");
    expect(judge(person, transport("ERR_X", "something else"), true).cls).toBe("other");
    for (const [status, cls] of [
      [502, "502"],
      [503, "503"],
      [504, "504"],
      [500, "5xx"],
    ] as const) {
      expect(judge(person, { status, errorCode: "", error: "", body: "" }, true).cls).toBe(cls);
    }
  });

  it("other 4xx are client errors and a 200 that is not a profile is other", () => {
    const person = loggedIn();
    expect(judge(person, { status: 400, errorCode: "", error: "", body: "{}" }, true).cls).toBe("client_error");
    expect(judge(person, { status: 200, errorCode: "", error: "", body: "<html>" }, true).cls).toBe("other");
    expect(judge(person, ok("run-u1", { a: "1" }), true)).toEqual({ cls: "ok", profile: { a: "1" } });
  });
});

describe("stale reads and indeterminate writes", () => {
  it("a field that does not hold the last successful write is stale", () => {
    const person = loggedIn();
    settleAfterRead(person, {}, { key: "k0", value: "v1" });
    expect(staleFields(person, { k0: "v1" })).toEqual([]);
    expect(staleFields(person, { k0: "v0" })).toEqual(["k0"]);
    expect(staleFields(person, {})).toEqual(["k0"]);
    expect(staleFields(person, { k0: "v1", k9: "x" })).toEqual(["k9"]);
  });

  it("a write's own answer must show the written value", () => {
    const person = loggedIn();
    expect(staleFields(person, { k1: "new" }, { key: "k1", value: "new" })).toEqual([]);
    expect(staleFields(person, {}, { key: "k1", value: "new" })).toEqual(["k1"]);
  });

  it("after an indeterminate write both values are accepted until the next read, which settles it", () => {
    const person = loggedIn();
    settleAfterRead(person, {}, { key: "k0", value: "old" });
    recordIndeterminateWrite(person, "k0", "new");
    expect(staleFields(person, { k0: "old" })).toEqual([]);
    expect(staleFields(person, { k0: "new" })).toEqual([]);
    expect(staleFields(person, { k0: "other" })).toEqual(["k0"]);
    settleAfterRead(person, { k0: "new" });
    expect(person.profile).toEqual({ k0: "new" });
    expect(person.pending).toEqual({});
    expect(staleFields(person, { k0: "old" })).toEqual(["k0"]);
  });

  it("an indeterminate first write of a field accepts the field being absent", () => {
    const person = loggedIn();
    recordIndeterminateWrite(person, "k2", "a");
    recordIndeterminateWrite(person, "k2", "b");
    expect(person.pending).toEqual({ k2: [null, "a", "b"] });
    expect(staleFields(person, {})).toEqual([]);
    expect(staleFields(person, { k2: "b" })).toEqual([]);
    settleAfterRead(person, {});
    expect(person.profile).toEqual({});
  });

  it("a new session starts from an empty profile with nothing pending", () => {
    const person = loggedIn();
    settleAfterRead(person, {}, { key: "k0", value: "v" });
    recordIndeterminateWrite(person, "k1", "w");
    endSession(person);
    expect(person.loggedIn).toBe(false);
    startSession(person, "app-2");
    expect(person).toEqual({ username: "run-u1", loggedIn: true, homeInstance: "app-2", profile: {}, pending: {} });
  });
});
