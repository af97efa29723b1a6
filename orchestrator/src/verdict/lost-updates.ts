// The lost-update model: over one person's recorded profile operations, an acknowledged write of a field that a
// later read (sent after the write was answered, in the same session) does not show, with no other write or delete
// of that field at the same time or after it, is a lost update. A write whose answer was lost (transport error or
// 5xx) is indeterminate: never counted lost, and it explains another write's absence like any other write.
// Pure and streaming: state is kept per person's session and per field, and pruned after each read.
import type { OpRecord } from "../../../scenarios/lib/ops.ts";
import type { LostUpdate, LostUpdateCounts, LostUpdateResult } from "./run-results.ts";

export type { LostUpdate, LostUpdateCounts, LostUpdateResult };

const EXAMPLES = 20;

interface Tracked {
  op: OpRecord;
  /** For an acknowledged write: checked by a read (seen, superseded or lost). */
  resolved: boolean;
}

/** True when `a` was answered before `b` was sent: strictly before it, no overlap. */
const before = (a: OpRecord, b: OpRecord) => a.t1 <= b.t0;

export class LostUpdateModel {
  private readonly sessions = new Map<string, { session: number; keys: Map<string, Tracked[]> }>();
  private readonly counts: LostUpdateCounts = {
    acknowledged: 0,
    indeterminate: 0,
    confirmed: 0,
    lost: 0,
    unchecked: 0,
    reads: 0,
  };
  private readonly examples: LostUpdate[] = [];
  /** Every lost update's `writtenAtMs` goes here too (per-second series, windows). */
  constructor(private readonly onLost: (lost: LostUpdate) => void = () => {}) {}

  /** Adds one operation; a person's operations come in the order the scenario recorded them. */
  add(op: OpRecord): void {
    let state = this.sessions.get(op.p);
    if (!state || state.session !== op.s) {
      if (state) this.dropSession(state.keys);
      state = { session: op.s, keys: new Map() };
      this.sessions.set(op.p, state);
    }
    if (op.r === "lost") {
      // The session is gone: a lost session, counted elsewhere; nothing of it can be checked any more.
      this.dropSession(state.keys);
      this.sessions.delete(op.p);
      return;
    }
    if (op.op === "read") {
      if (op.r === "ack" && op.shown) this.check(op, state.keys);
      return;
    }
    if (op.op === "write" && op.r === "ack") this.counts.acknowledged++;
    if (op.op === "write" && op.r === "indeterminate") this.counts.indeterminate++;
    // A rejected request changed nothing; everything else may have changed the field.
    if (op.r === "rejected" || op.k === undefined) return;
    const list = state.keys.get(op.k) ?? [];
    list.push({ op, resolved: op.op !== "write" || op.r !== "ack" });
    state.keys.set(op.k, list);
  }

  result(): LostUpdateResult {
    let unchecked = this.counts.unchecked;
    for (const { keys } of this.sessions.values()) unchecked += uncheckedIn(keys);
    return { ...this.counts, unchecked, examples: [...this.examples] };
  }

  private check(read: OpRecord, keys: Map<string, Tracked[]>): void {
    this.counts.reads++;
    const shown = read.shown ?? {};
    for (const [key, list] of keys) {
      for (const tracked of list) {
        const write = tracked.op;
        if (tracked.resolved || !before(write, read)) continue;
        tracked.resolved = true;
        const value = Object.hasOwn(shown, key) ? (shown[key] ?? null) : null;
        if (value === write.v) {
          this.counts.confirmed++;
          continue;
        }
        // Another write or delete of the field, sent before this read was answered and not over before this write
        // was sent, may have replaced it: not a lost update.
        const superseded = list.some((other) => other !== tracked && other.op.t0 < read.t1 && !before(other.op, write));
        if (superseded) {
          this.counts.confirmed++;
          continue;
        }
        this.counts.lost++;
        const lost: LostUpdate = {
          person: write.p,
          session: write.s,
          key,
          value: write.v ?? "",
          writtenAtMs: write.t1,
          readAtMs: read.t0,
          shown: value,
        };
        if (this.examples.length < EXAMPLES) this.examples.push(lost);
        this.onLost(lost);
      }
      // Operations over before this read was sent and checked by it matter no more.
      const kept = list.filter((t) => !(t.resolved && before(t.op, read)));
      if (kept.length === 0) keys.delete(key);
      else keys.set(key, kept);
    }
  }

  private dropSession(keys: Map<string, Tracked[]>): void {
    this.counts.unchecked += uncheckedIn(keys);
    keys.clear();
  }
}

function uncheckedIn(keys: Map<string, Tracked[]>): number {
  let n = 0;
  for (const list of keys.values()) n += list.filter((t) => !t.resolved).length;
  return n;
}

/** The model over a whole list of operations (tests, recorded records). */
export function countLostUpdates(ops: readonly OpRecord[]): LostUpdateResult {
  const model = new LostUpdateModel();
  for (const op of ops) model.add(op);
  return model.result();
}
