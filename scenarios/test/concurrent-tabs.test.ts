// concurrent-tabs' bursts against a scripted server: the requests of a burst and the op records they leave.
import { describe, expect, it } from "vitest";
import scenario from "../concurrent-tabs.ts";
import type { OpRecord } from "../lib/ops.ts";
import { type Call, person, type Sent } from "./fake-person.ts";

function server(override?: (sent: Sent) => { status: number; body?: object } | null) {
  const profile: Record<string, string> = {};
  return (sent: Sent) => {
    const special = override?.(sent);
    if (special) return special;
    if (sent.path === "/login") return { status: 200, body: { username: "r1-u1", profile: {} } };
    if (sent.method === "POST") {
      const { key, value } = sent.body as { key: string; value: string };
      profile[key] = value;
    }
    if (sent.method === "DELETE") {
      const key = sent.path.slice("/profile/".length);
      if (!(key in profile)) return { status: 404, body: { error: "none" } };
      delete profile[key];
    }
    return { status: 200, body: { username: "r1-u1", profile: { ...profile } } };
  };
}

const ops = (calls: Call[]): OpRecord[] => calls.flatMap((c) => (c.kind === "op" ? [c.op] : []));

describe("concurrent-tabs", () => {
  it("a first burst is 4 writes and a read, then a read; every op is recorded with the batch's times", async () => {
    const p = person(scenario, server());
    await p.run();
    const calls = p.record.take();
    expect(calls.slice(0, 2)).toEqual([
      { kind: "request", endpoint: "login", cls: "ok" },
      { kind: "session-started", instance: "app-1" },
    ]);
    const recorded = ops(calls);
    expect(recorded.map((o) => [o.op, o.k, o.r])).toEqual([
      ["write", "f4", "ack"],
      ["write", "f5", "ack"],
      ["write", "f6", "ack"],
      ["write", "f7", "ack"],
      ["read", undefined, "ack"],
      ["read", undefined, "ack"],
    ]);
    const burst = recorded.slice(0, 5);
    expect(new Set(burst.map((o) => `${o.t0}-${o.t1}`)).size).toBe(1);
    expect(burst[0]?.t1).toBeGreaterThan(burst[0]?.t0 as number);
    expect(recorded.every((o) => o.p === "r1-u1" && o.s === 1)).toBe(true);
    expect(recorded.at(-1)?.shown).toMatchObject({ f4: "v1.1.0", f7: "v1.1.3" });
  });

  it("later bursts delete the field before theirs; a delete answered 404 is ok but rejected", async () => {
    const p = person(scenario, server());
    await p.run();
    p.record.take();
    await p.run();
    const calls = p.record.take();
    const del = ops(calls).find((o) => o.op === "delete");
    expect(del).toMatchObject({ op: "delete", k: "f7", r: "ack" });
    await p.run();
    await p.run();
    // Burst 4 deletes f7 (deleted by burst 2, written by burst 3): ack; a 404 shows as ok + rejected.
    const p2 = person(
      scenario,
      server((sent) => (sent.method === "DELETE" ? { status: 404, body: {} } : null)),
    );
    await p2.run();
    await p2.run();
    const calls2 = p2.record.take();
    expect(calls2).toContainEqual({ kind: "request", endpoint: "profile_delete", cls: "ok" });
    expect(ops(calls2).find((o) => o.op === "delete")?.r).toBe("rejected");
  });

  it("a failed write is indeterminate; a 401 is a lost session and the after-burst read is skipped", async () => {
    let mode: "503" | "401" | null = null;
    const p = person(
      scenario,
      server((sent) => {
        if (mode === "503" && sent.method === "POST" && sent.path === "/profile") return { status: 503 };
        if (mode === "401" && sent.path !== "/login") return { status: 401, body: { error: "no" } };
        return null;
      }),
    );
    mode = "503";
    await p.run();
    const calls = p.record.take();
    expect(calls.filter((c) => c.kind === "indeterminate-write")).toHaveLength(4);
    expect(
      ops(calls)
        .filter((o) => o.op === "write")
        .map((o) => o.r),
    ).toEqual(Array(4).fill("indeterminate"));
    mode = "401";
    const before = p.http.sent.length;
    await p.run();
    const lost = p.record.take();
    expect(lost.filter((c) => c.kind === "session-lost")).toHaveLength(1);
    expect(ops(lost).every((o) => o.r === "lost")).toBe(true);
    // One burst (4 writes, a delete, a read) and no read after it.
    expect(p.http.sent.length - before).toBe(6);
  });
});
