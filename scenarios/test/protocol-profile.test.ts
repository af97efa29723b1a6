// protocol-profile's iteration against a scripted HTML app (form login with a CSRF token, pages read by patterns):
// what it sends and what it records (lost, stale, indeterminate), as login-profile's test does for the JSON app.
import { describe, expect, it } from "vitest";
import { protocolSchema } from "../lib/protocol.ts";
import scenario from "../protocol-profile.ts";
import { person, type Script, type Sent } from "./fake-person.ts";

const protocol = protocolSchema.parse({
  login: {
    path: "/login.php",
    fields: { username: "{username}", token: "{csrf}" },
    csrf: { path: "/login.php", from: { pattern: 'name="token" value="([^"]+)"' } },
  },
  read: { path: "/", user: { pattern: '<b id="user">([^<]*)</b>' }, value: { pattern: '<dd id="{key}">([^<]*)</dd>' } },
  write: { path: "/", fields: { key: "{key}", value: "{value}" } },
  logout: { path: "/logout.php" },
  loggedOut: { redirectTo: "/login.php" },
});

const page = (user: string, profile: Record<string, string>) =>
  `<b id="user">${user}</b>${Object.entries(profile)
    .map(([k, v]) => `<dd id="${k}">${v}</dd>`)
    .join("")}`;

/** A correct app for r1-u1, optionally answering `override` first. */
function app(override?: (sent: Sent, profile: Record<string, string>) => ReturnType<Script> | null): Script {
  const profile: Record<string, string> = {};
  let loggedIn = false;
  return (sent) => {
    const special = override?.(sent, profile);
    if (special) return special;
    if (sent.path === "/login.php" && sent.method === "GET")
      return { status: 200, text: '<input name="token" value="t1">' };
    if (sent.path === "/login.php") {
      if ((sent.body as { token?: string }).token !== "t1") return { status: 419, text: "bad token" };
      loggedIn = true;
      for (const key of Object.keys(profile)) delete profile[key];
      return { status: 200, text: page("r1-u1", profile) };
    }
    if (!loggedIn) return { status: 302, location: "/login.php" };
    if (sent.method === "POST") {
      const { key, value } = sent.body as { key: string; value: string };
      profile[key] = value;
    }
    return { status: 200, text: page("r1-u1", profile) };
  };
}

describe("protocol-profile", () => {
  it("fetches the CSRF token, logs in with a form, then reads and writes k<iteration % 4>", async () => {
    const p = person(scenario, app(), { protocol });
    await p.run();
    expect(p.record.take()).toEqual([
      { kind: "request", endpoint: "login_form", cls: "ok" },
      { kind: "request", endpoint: "login", cls: "ok" },
      { kind: "session-started", instance: "app-1" },
      { kind: "request", endpoint: "profile_get", cls: "ok" },
      { kind: "request", endpoint: "profile_set", cls: "ok" },
    ]);
    expect(p.http.sent[1]).toMatchObject({ as: "form", body: { username: "r1-u1", token: "t1" } });
    for (let i = 0; i < 4; i++) await p.run();
    const keys = p.http.sent
      .filter((s) => s.method === "POST" && s.path === "/")
      .map((s) => (s.body as { key: string }).key);
    expect(keys).toEqual(["k0", "k1", "k2", "k3", "k0"]);
    expect(p.record.take().filter((c) => c.kind !== "request")).toEqual([]);
  });

  it("a redirect to the login page is a lost session; the next iteration logs in again", async () => {
    let lose = false;
    const p = person(
      scenario,
      app((sent) => (lose && sent.path === "/" ? { status: 302, location: "/login.php" } : null)),
      {
        protocol,
      },
    );
    await p.run();
    p.record.take();
    lose = true;
    await p.run();
    expect(p.record.take()).toEqual([
      { kind: "request", endpoint: "profile_get", cls: "lost" },
      { kind: "session-lost", home: "app-1", instance: "app-1" },
    ]);
    lose = false;
    await p.run();
    expect(p.record.take()[0]).toEqual({ kind: "request", endpoint: "login_form", cls: "ok" });
  });

  it("a page without the last written value is a stale read; a failed write is indeterminate", async () => {
    let forget = false;
    let fail = false;
    const p = person(
      scenario,
      app((sent, profile) => {
        if (fail && sent.method === "POST" && sent.path === "/") return { status: 503 };
        if (forget && sent.method === "GET" && sent.path === "/") return { status: 200, text: page("r1-u1", {}) };
        return profile && null;
      }),
      { protocol },
    );
    await p.run();
    p.record.take();
    forget = true;
    await p.run();
    expect(p.record.take()).toContainEqual({ kind: "stale-read", endpoint: "profile_get" });
    forget = false;
    fail = true;
    await p.run();
    expect(p.record.take()).toContainEqual({ kind: "indeterminate-write" });
  });

  it("another user's page is a lost session", async () => {
    const p = person(
      scenario,
      app((sent) => (sent.method === "GET" && sent.path === "/" ? { status: 200, text: page("r1-u9", {}) } : null)),
      {
        protocol,
      },
    );
    await p.run();
    expect(p.record.take()).toContainEqual({ kind: "session-lost", home: "app-1", instance: "app-1" });
  });

  it("without the protocol it refuses to start", () => {
    expect(() => person(scenario, app())).toThrow(/needs the target's protocol/);
  });
});
