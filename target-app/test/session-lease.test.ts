// Per-session serialisation within one process: holders in arrival order, a bounded wait, leases ended once.
import { describe, expect, it } from "vitest";
import {
  Lease,
  LocalSessionLocks,
  RequestEndedError,
  RequestScope,
  SessionLockTimeoutError,
} from "../src/stores/session-lease.ts";

describe("LocalSessionLocks", () => {
  it("lets one holder of a session in at a time, in arrival order; other sessions do not wait", async () => {
    const locks = new LocalSessionLocks();
    const order: string[] = [];
    const first = await locks.acquire("s1", 1000);
    const second = locks.acquire("s1", 1000).then((release) => {
      order.push("second");
      return release;
    });
    const third = locks.acquire("s1", 1000).then((release) => {
      order.push("third");
      release();
    });
    (await locks.acquire("s2", 10))();
    order.push("other session");
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(["other session"]);
    first();
    (await second)();
    await third;
    expect(order).toEqual(["other session", "second", "third"]);
    await new Promise((r) => setTimeout(r, 0));
    expect(locks.size).toBe(0);
  });

  it("gives up after the wait bound; the next in line still waits for the holder, not for the one that gave up", async () => {
    const locks = new LocalSessionLocks();
    const holder = await locks.acquire("s", 1000);
    const impatient = locks.acquire("s", 30);
    const patient = locks.acquire("s", 1000);
    await expect(impatient).rejects.toBeInstanceOf(SessionLockTimeoutError);
    await expect(impatient).rejects.toThrow(/^session is locked by another request; gave up after waiting \d+ ms$/);
    let got = false;
    void patient.then(() => {
      got = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toBe(false);
    holder();
    (await patient)();
    expect(got).toBe(true);
  });
});

describe("RequestScope", () => {
  it("ends every lease once, also when end is called twice; a lease after the end is ended at once", async () => {
    const scope = new RequestScope();
    const ended: string[] = [];
    scope.hold(
      new Lease("a", async () => {
        ended.push("a");
      }),
    );
    scope.hold(
      new Lease("x", async () => {
        throw new Error("a failed release does not stop the others");
      }),
    );
    scope.hold(
      new Lease("b", async () => {
        ended.push("b");
      }),
    );
    expect(scope.holding).toBe(true);
    await Promise.all([scope.end(), scope.end()]);
    expect(ended).toEqual(["a", "b"]);
    scope.hold(
      new Lease("late", async () => {
        ended.push("late");
      }),
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(ended).toEqual(["a", "b", "late"]);
  });

  it("finds a lease by session id, and refuses saves once over; only an allowed id is created", async () => {
    const scope = new RequestScope();
    const lease = new Lease("s1", async () => undefined);
    scope.hold(lease);
    expect(scope.leaseOf("s1")).toBe(lease);
    expect(scope.leaseOf("s2")).toBeUndefined();
    expect(scope.saveMode("s1")).toBe("update");
    scope.allowCreate("s2");
    expect(scope.saveMode("s2")).toBe("create");
    expect(scope.over).toBe(false);
    await scope.end();
    expect(scope.over).toBe(true);
    expect(scope.leaseOf("s1")).toBeUndefined();
    expect(() => scope.saveMode("s1")).toThrow(RequestEndedError);
    expect(() => scope.saveMode("s2")).toThrow(/client went away/);
  });
});
