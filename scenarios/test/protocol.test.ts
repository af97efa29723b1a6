// The session protocol's checks (scenarios/lib/protocol.ts): pure, no server.
import { describe, expect, it } from "vitest";
import type { Answer } from "../lib/person.ts";
import {
  atPointer,
  csrfFromBody,
  extract,
  fillPlaceholders,
  isLoggedOut,
  judgeLogin,
  judgeRead,
  type Protocol,
  protocolSchema,
  requestBody,
} from "../lib/protocol.ts";

const html: Protocol = protocolSchema.parse({
  login: {
    path: "/login.php",
    fields: { username: "{username}", token: "{csrf}" },
    csrf: { path: "/login.php", from: { pattern: 'name="token" value="([^"]+)"' } },
    okStatus: [200, 303],
  },
  read: {
    path: "/",
    user: { pattern: '<span id="user">([^<]*)</span>' },
    value: { pattern: '<dd id="f-{key}">([^<]*)</dd>' },
  },
  write: { path: "/profile.php", fields: { key: "{key}", value: "{value}" } },
  loggedOut: { redirectTo: "/login.php", status: [401] },
});

const json: Protocol = protocolSchema.parse({
  login: { path: "/login", body: "json", fields: { username: "{username}" } },
  read: { path: "/profile", user: { json: "/username" }, value: { json: "/profile/{key}" } },
  loggedOut: { status: [401] },
});

const answer = (status: number, body: string | null): Answer => ({ status, errorCode: "", error: "", body });
const page = (user: string, fields: Record<string, string>) =>
  `<span id="user">${user}</span><dl>${Object.entries(fields)
    .map(([k, v]) => `<dd id="f-${k}">${v}</dd>`)
    .join("")}</dl>`;

describe("extractors", () => {
  it("a JSON pointer reads strings only, with ~0 and ~1 escapes", () => {
    expect(atPointer({ a: { "b/c": { "d~": "x" } } }, "/a/b~1c/d~0")).toBe("x");
    expect(extract({ json: "/profile/{key}" }, '{"profile":{"k1":"v"}}', { key: "k1" })).toBe("v");
    expect(extract({ json: "/profile/{key}" }, '{"profile":{"k1":3}}', { key: "k1" })).toBeUndefined();
    expect(extract({ json: "/username" }, "not json")).toBeUndefined();
  });

  it("a pattern's first group is the value; placeholder values are literal", () => {
    expect(extract({ pattern: '<dd id="f-{key}">([^<]*)</dd>' }, page("u", { "k.1": "v" }), { key: "k.1" })).toBe("v");
    expect(
      extract({ pattern: '<dd id="f-{key}">([^<]*)</dd>' }, page("u", { kx1: "v" }), { key: "k.1" }),
    ).toBeUndefined();
  });

  it("placeholders are filled, unknown ones kept", () => {
    expect(fillPlaceholders("{a}-{b}", { a: "1" })).toBe("1-{b}");
  });
});

describe("judgeRead", () => {
  it("the person's own page is ok, with the values of the keys asked for", () => {
    const verdict = judgeRead(html, "u1", answer(200, page("u1", { k0: "a", k9: "z" })), undefined, true, ["k0", "k1"]);
    expect(verdict).toEqual({ cls: "ok", profile: { k0: "a" } });
  });

  it("a logged-out answer with a session is lost, without one a client error", () => {
    const redirect = answer(302, "");
    expect(judgeRead(html, "u1", redirect, "http://lb/login.php?next=/", true, []).cls).toBe("lost");
    expect(judgeRead(html, "u1", redirect, "/login.php", false, []).cls).toBe("client_error");
    expect(judgeRead(json, "u1", answer(401, "{}"), undefined, true, []).cls).toBe("lost");
  });

  it("a redirect elsewhere is not a logged-out answer", () => {
    expect(judgeRead(html, "u1", answer(302, ""), "/other", true, []).cls).toBe("client_error");
  });

  it("another user's page is a lost session", () => {
    expect(judgeRead(html, "u1", answer(200, page("u2", {})), undefined, true, [])).toEqual({
      cls: "lost",
      reason: "answered as u2",
    });
  });

  it("a 200 that shows no user is other; failures keep their class", () => {
    expect(judgeRead(html, "u1", answer(200, "<html>hello</html>"), undefined, true, []).cls).toBe("other");
    expect(judgeRead(html, "u1", answer(503, ""), undefined, true, []).cls).toBe("503");
    const reset: Answer = { status: 0, errorCode: "ECONNRESET", error: "socket hang up", body: null };
    expect(judgeRead(html, "u1", reset, undefined, true, []).cls).toBe("reset");
  });

  it("a logged-out body pattern is recognised", () => {
    const p = protocolSchema.parse({ ...json, loggedOut: { pattern: "(Please log in)" } });
    expect(isLoggedOut(p, answer(200, "<p>Please log in</p>"), undefined)).toBe(true);
    expect(isLoggedOut(p, answer(200, "<p>Welcome</p>"), undefined)).toBe(false);
  });
});

describe("login", () => {
  it("ok on the statuses the protocol lists, else a client error", () => {
    expect(judgeLogin(html, answer(303, "")).cls).toBe("ok");
    expect(judgeLogin(html, answer(403, "no")).cls).toBe("client_error");
    expect(judgeLogin(json, answer(502, "")).cls).toBe("502");
  });

  it("the CSRF token comes from the first answer's body; bodies are form or JSON", () => {
    expect(csrfFromBody(html, '<input name="token" value="t0k">')).toBe("t0k");
    expect(requestBody(html.login, { username: "u1", csrf: "t0k" })).toEqual({
      form: { username: "u1", token: "t0k" },
    });
    expect(requestBody(json.login, { username: "u1" })).toEqual({ json: { username: "u1" } });
  });
});
