// login-profile's iteration against a scripted server: what it sends and what it records (lost, stale, indeterminate).
import { describe, expect, it } from "vitest";
import scenario from "../login-profile.ts";
import { person, type Sent } from "./fake-person.ts";

/** A correct server for r1-u1 with one profile, optionally answering `override` first. */
function server(
  override?: (sent: Sent, profile: Record<string, string>) => ReturnType<Parameters<typeof person>[1]> | null,
) {
  const profile: Record<string, string> = {};
  return (sent: Sent) => {
    const special = override?.(sent, profile);
    if (special) return special;
    if (sent.path === "/login") {
      for (const key of Object.keys(profile)) delete profile[key];
      return { status: 200, body: { username: "r1-u1", profile: {} } };
    }
    if (sent.method === "POST" && sent.path === "/profile") {
      const { key, value } = sent.body as { key: string; value: string };
      profile[key] = value;
    }
    return { status: 200, body: { username: "r1-u1", profile: { ...profile } } };
  };
}

describe("login-profile", () => {
  it("logs in once, then reads and writes k<iteration % 4> each iteration", async () => {
    const p = person(scenario, server());
    await p.run();
    expect(p.record.take()).toEqual([
      { kind: "request", endpoint: "login", cls: "ok" },
      { kind: "session-started", instance: "app-1" },
      { kind: "request", endpoint: "profile_get", cls: "ok" },
      { kind: "request", endpoint: "profile_set", cls: "ok" },
    ]);
    for (let i = 0; i < 5; i++) await p.run();
    const keys = p.http.sent
      .filter((s) => s.method === "POST" && s.path === "/profile")
      .map((s) => (s.body as { key: string }).key);
    expect(keys).toEqual(["k0", "k1", "k2", "k3", "k0", "k1"]);
    expect(p.http.sent.filter((s) => s.path === "/login")).toHaveLength(1);
    expect(p.record.calls.every((c) => c.kind === "request" && c.cls === "ok")).toBe(true);
  });

  it("a 401 with a session is a lost session (home = the login's instance); the next iteration logs in again", async () => {
    let lose = false;
    const p = person(
      scenario,
      server((sent) =>
        lose && sent.method === "GET" ? { status: 401, body: { error: "no" }, instance: "app-2" } : null,
      ),
    );
    await p.run();
    p.record.take();
    lose = true;
    await p.run();
    expect(p.record.take()).toEqual([
      { kind: "request", endpoint: "profile_get", cls: "lost" },
      { kind: "session-lost", home: "app-1", instance: "app-2" },
    ]);
    lose = false;
    await p.run();
    expect(p.record.take().slice(0, 2)).toEqual([
      { kind: "request", endpoint: "login", cls: "ok" },
      { kind: "session-started", instance: "app-1" },
    ]);
  });

  it("a write that fails with a 503 or a transport error is indeterminate; a later read showing either value is not stale", async () => {
    let fail: { status: number; code?: string } | null = null;
    const p = person(
      scenario,
      server((sent) => (fail && sent.method === "POST" && sent.path === "/profile" ? fail : null)),
    );
    await p.run();
    p.record.take();
    fail = { status: 503 };
    await p.run();
    expect(p.record.take()).toEqual([
      { kind: "request", endpoint: "profile_get", cls: "ok" },
      { kind: "request", endpoint: "profile_set", cls: "503" },
      { kind: "indeterminate-write" },
    ]);
    fail = { status: 0, code: "UND_ERR_SOCKET" };
    await p.run();
    expect(p.record.take().at(-2)).toEqual({ kind: "request", endpoint: "profile_set", cls: "reset" });
    fail = null;
    await p.run();
    expect(p.record.take().filter((c) => c.kind === "stale-read")).toEqual([]);
  });

  it("a read that lost a successful write is stale", async () => {
    let forget = false;
    const p = person(
      scenario,
      server((sent) =>
        forget && sent.method === "GET" ? { status: 200, body: { username: "r1-u1", profile: {} } } : null,
      ),
    );
    await p.run();
    forget = true;
    p.record.take();
    await p.run();
    expect(p.record.take()).toContainEqual({ kind: "stale-read", endpoint: "profile_get" });
  });

  it("end() logs a logged-in person out, and does nothing for one who is not", async () => {
    const p = person(scenario, server());
    await scenario.end?.(p.context);
    expect(p.http.sent).toEqual([]);
    await p.run();
    await scenario.end?.(p.context);
    expect(p.http.sent.at(-1)).toEqual({ method: "POST", path: "/logout" });
    expect(p.context.state.person.loggedIn).toBe(false);
  });
});
