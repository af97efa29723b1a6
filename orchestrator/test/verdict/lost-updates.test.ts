// The lost-update model on recorded operations: acknowledged writes a later read does not show are lost; a write
// followed by a delete, a write whose answer was lost, and reads that overlap the write are not.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type OpRecord, parseOpRecord } from "../../../scenarios/lib/ops.ts";
import { countLostUpdates } from "../../src/verdict/lost-updates.ts";
import { aggregateRecordsFile } from "../../src/verdict/read-records.ts";
import { recordLines } from "../helpers/records-text.ts";

const P = "run1-u1";
const write = (k: string, v: string, t0: number, t1: number, r: OpRecord["r"] = "ack", s = 1): OpRecord => ({
  p: P,
  s,
  op: "write",
  k,
  v,
  r,
  t0,
  t1,
});
const del = (k: string, t0: number, t1: number, r: OpRecord["r"] = "ack"): OpRecord => ({
  p: P,
  s: 1,
  op: "delete",
  k,
  r,
  t0,
  t1,
});
const read = (shown: Record<string, string>, t0: number, t1: number, r: OpRecord["r"] = "ack", s = 1): OpRecord => ({
  p: P,
  s,
  op: "read",
  r,
  t0,
  t1,
  ...(r === "ack" ? { shown } : {}),
});

describe("countLostUpdates", () => {
  it("counts the acknowledged writes of a burst that the read after it does not show (last writer wins)", () => {
    // Three overlapping writes sent at 1000, all answered 200; the read after them shows only the last one saved.
    const ops = [write("a", "1", 1000, 1010), write("b", "2", 1000, 1012), write("c", "3", 1000, 1015)];
    const result = countLostUpdates([...ops, read({ c: "3" }, 1020, 1025)]);
    expect(result).toMatchObject({ acknowledged: 3, confirmed: 1, lost: 2, unchecked: 0, reads: 1 });
    expect(result.examples.map((l) => [l.key, l.value, l.shown, l.writtenAtMs, l.readAtMs])).toEqual([
      ["a", "1", null, 1010, 1020],
      ["b", "2", null, 1012, 1020],
    ]);
  });

  it("a write followed by a delete of the field: its absence is the delete, not a lost update", () => {
    const result = countLostUpdates([write("a", "1", 1000, 1010), del("a", 1100, 1110), read({}, 1200, 1210)]);
    expect(result).toMatchObject({ acknowledged: 1, lost: 0, confirmed: 1 });
  });

  it("a delete that overlaps the write also explains the absence; a delete before the write does not", () => {
    expect(countLostUpdates([write("a", "1", 1000, 1050), del("a", 1020, 1030), read({}, 1100, 1110)]).lost).toBe(0);
    expect(countLostUpdates([del("a", 900, 950), write("a", "1", 1000, 1050), read({}, 1100, 1110)]).lost).toBe(1);
  });

  it("a write whose answer was lost is indeterminate: not lost when absent, and it may replace an earlier write", () => {
    const lostAnswer = countLostUpdates([write("a", "1", 1000, 6000, "indeterminate"), read({}, 6100, 6110)]);
    expect(lostAnswer).toMatchObject({ acknowledged: 0, indeterminate: 1, lost: 0 });
    // a=1 acknowledged, then a=2 sent and its answer lost; the read shows a=2 (or a=1): either way nothing lost.
    const ops = [write("a", "1", 1000, 1010), write("a", "2", 1100, 6100, "indeterminate")];
    expect(countLostUpdates([...ops, read({ a: "2" }, 6200, 6210)]).lost).toBe(0);
    expect(countLostUpdates([...ops, read({ a: "1" }, 6200, 6210)]).lost).toBe(0);
  });

  it("only a read sent after the write was answered checks it; a read in the same burst does not", () => {
    const ops = [write("a", "1", 1000, 1030), read({}, 1000, 1020), read({}, 1000, 1040)];
    expect(countLostUpdates(ops)).toMatchObject({ lost: 0, unchecked: 1, reads: 2 });
    expect(countLostUpdates([...ops, read({ a: "1" }, 1050, 1060)])).toMatchObject({ lost: 0, confirmed: 1 });
  });

  it("a later write of the same field that the read shows supersedes the earlier one", () => {
    const ops = [write("a", "1", 1000, 1010), write("a", "2", 1020, 1030), read({ a: "2" }, 1040, 1050)];
    expect(countLostUpdates(ops)).toMatchObject({ acknowledged: 2, confirmed: 2, lost: 0 });
    // ... but when the read shows the first value, the second (acknowledged, and after it) was lost.
    const stale = countLostUpdates([...ops.slice(0, 2), read({ a: "1" }, 1040, 1050)]);
    expect(stale).toMatchObject({ lost: 1 });
    expect(stale.examples[0]).toMatchObject({ key: "a", value: "2", shown: "1" });
  });

  it("a write is checked once: the first read after it decides", () => {
    const result = countLostUpdates([write("a", "1", 1000, 1010), read({}, 1020, 1030), read({}, 1040, 1050)]);
    expect(result).toMatchObject({ lost: 1, reads: 2 });
  });

  it("expectations never cross a session: a new login or a lost session leaves the writes unchecked", () => {
    const relogin = countLostUpdates([write("a", "1", 1000, 1010), read({}, 1100, 1110, "ack", 2)]);
    expect(relogin).toMatchObject({ lost: 0, unchecked: 1 });
    const lostSession = countLostUpdates([write("a", "1", 1000, 1010), read({}, 1100, 1110, "lost")]);
    expect(lostSession).toMatchObject({ lost: 0, unchecked: 1 });
    // A rejected write (4xx) changed nothing and is not counted.
    expect(countLostUpdates([write("a", "1", 1000, 1010, "rejected"), read({}, 1100, 1110)])).toMatchObject({
      acknowledged: 0,
      lost: 0,
    });
  });

  it("people are independent", () => {
    const other = (op: OpRecord): OpRecord => ({ ...op, p: "run1-u2" });
    const ops = [write("a", "1", 1000, 1010), other(write("a", "x", 1000, 1010)), read({ a: "1" }, 1020, 1030)];
    expect(countLostUpdates([...ops, other(read({}, 1020, 1030))])).toMatchObject({ lost: 1, confirmed: 1 });
  });
});

describe("parseOpRecord", () => {
  it("reads what the scenario writes and refuses anything else", () => {
    const op = write("a", "1", 1000, 1010);
    expect(parseOpRecord(JSON.stringify(op))).toEqual(op);
    expect(parseOpRecord("{")).toBeNull();
    expect(parseOpRecord(JSON.stringify({ ...op, op: "patch" }))).toBeNull();
    expect(parseOpRecord(JSON.stringify({ ...op, v: undefined }))).toBeNull();
    expect(parseOpRecord(42)).toBeNull();
  });
});

// The operations of three people from a real 15 s run of scenarios/concurrent-tabs.ts against dynamodb (two
// instances, no fault): bursts of four writes, a delete of the field the previous burst wrote last, and reads.
// Recorded by k6 (fh_op samples) before the harness had its own engine; converted once to op records.
const RECORDED = fileURLToPath(new URL("../fixtures/records-concurrent-dynamodb.tsv.gz", import.meta.url));

describe("the lost-update model on recorded operations", async () => {
  const lines = recordLines(RECORDED).filter((r) => r.code === "O");
  const ops = lines.map((line) => parseOpRecord(line.fields[3])).filter((op) => op !== null);
  const aggregate = await aggregateRecordsFile(RECORDED);

  it("reads every operation, and the aggregator counts what the model counts", () => {
    expect(ops).toHaveLength(lines.length);
    const direct = countLostUpdates(ops);
    expect(aggregate.updates).toEqual({ ...direct, lostByWindow: { before: direct.lost, during: 0, after: 0 } });
    expect(direct).toMatchObject({ acknowledged: 184, lost: 125, confirmed: 59, unchecked: 0, indeterminate: 0 });
    expect(aggregate.series.reduce((sum, s) => sum + (s.lostUpdates ?? 0), 0)).toBe(125);
  });

  it("agrees with a count by hand: each burst's writes missing from the read right after the burst", () => {
    let byHand = 0;
    const people = new Set(ops.map((op) => op.p));
    for (const person of people) {
      const mine = ops.filter((op) => op.p === person);
      mine.forEach((op, i) => {
        if (op.op !== "write" || op.r !== "ack") return;
        // The first read sent after the burst was answered (the burst's own read went out with it).
        const next = mine.slice(i + 1).find((o) => o.op === "read" && o.t0 >= op.t1);
        if (next?.shown && next.shown[op.k ?? ""] !== op.v) byHand++;
      });
    }
    expect(byHand).toBe(125);
  });

  it("holds deletes that follow a write of the same field, and none of them counts as a lost update", () => {
    const deletes = ops.filter((op) => op.op === "delete" && op.r === "ack");
    expect(deletes.length).toBeGreaterThan(10);
    const followed = deletes.filter((d) =>
      ops.some((w) => w.p === d.p && w.op === "write" && w.k === d.k && w.t1 <= d.t0),
    );
    expect(followed.length).toBe(deletes.length);
    expect(
      aggregate.updates?.examples.every(
        (lost) =>
          !deletes.some(
            (d) => d.p === lost.person && d.k === lost.key && d.t0 >= lost.writtenAtMs && d.t1 <= lost.readAtMs,
          ),
      ),
    ).toBe(true);
  });
});
