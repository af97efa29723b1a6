// A protocol that never recognises a logged-in answer stops the run after the warm-up (run/recognition.ts): pure.
import { describe, expect, it } from "vitest";
import type { LoadRecord } from "../../../load/api.ts";
import { countRead, type ReadCounts, unrecognisedMessage } from "../../src/run/recognition.ts";

const request = (endpoint: string, cls: "ok" | "other" | "lost" | "503"): LoadRecord => ({
  kind: "request",
  t: 1,
  endpoint,
  instance: "app-1",
  cls,
  ms: 1,
  storeMs: null,
  lockMs: null,
  person: 0,
});

function counts(records: LoadRecord[]): ReadCounts {
  const c: ReadCounts = { reads: 0, ok: 0, other: 0 };
  for (const r of records) countRead(c, r);
  return c;
}

describe("unrecognisedMessage", () => {
  it("every read and write judged other: the run stops, naming the target file and the log", () => {
    const c = counts([
      ...Array.from({ length: 12 }, () => request("profile_get", "other")),
      request("login", "ok"),
      { kind: "session-started", t: 1, instance: "app-1", person: 0 },
    ]);
    expect(c).toEqual({ reads: 12, ok: 0, other: 12 });
    expect(unrecognisedMessage(c, "/t/target.yaml", "/r/logs/warm-up.log")).toMatch(
      /all 12 reads and writes of the warm-up were judged "other".*protocol\.read\.user in \/t\/target\.yaml.*\/r\/logs\/warm-up\.log/,
    );
  });

  it("one recognised read, another failure class, or too few reads: the run goes on", () => {
    const others = Array.from({ length: 12 }, () => request("profile_set", "other"));
    expect(unrecognisedMessage(counts([...others, request("profile_get", "ok")]), "f", "l")).toBeNull();
    expect(unrecognisedMessage(counts([...others, request("profile_get", "503")]), "f", "l")).toBeNull();
    expect(unrecognisedMessage(counts(others.slice(0, 9)), "f", "l")).toBeNull();
  });
});
