// One profile operation of one person as the concurrent scenario records it (an `op` record of the records file
// holding it as JSON), for the orchestrator's lost-update model. Plain data, no I/O.

/** What became of a request: ack (200), indeterminate (transport error or 5xx: applied or not, nobody knows),
 * rejected (another 4xx, e.g. a delete of a field that is not there), lost (the session was gone: 401). */
export type OpResult = "ack" | "indeterminate" | "rejected" | "lost";

export interface OpRecord {
  /** The person (username). */
  p: string;
  /** The person's session, counted from 1 at each login: expectations never cross a login. */
  s: number;
  op: "write" | "delete" | "read";
  /** The field (write, delete). */
  k?: string;
  /** The value written (write). */
  v?: string;
  r: OpResult;
  /** Epoch ms the request was sent (for a batch: when its first request was sent) and answered (for a batch: its
   * last answer). */
  t0: number;
  t1: number;
  /** The profile a read showed (read with r = ack). */
  shown?: Record<string, string>;
}

/** Parses an `op` record's JSON; null when it is not a record this version writes. */
export function parseOpRecord(text: unknown): OpRecord | null {
  if (typeof text !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== "object") return null;
  const o = value as Record<string, unknown>;
  const okOp = o.op === "write" || o.op === "delete" || o.op === "read";
  const okResult = o.r === "ack" || o.r === "indeterminate" || o.r === "rejected" || o.r === "lost";
  if (!okOp || !okResult || typeof o.p !== "string" || typeof o.s !== "number") return null;
  if (typeof o.t0 !== "number" || typeof o.t1 !== "number") return null;
  if (o.op !== "read" && typeof o.k !== "string") return null;
  if (o.op === "write" && typeof o.v !== "string") return null;
  return value as OpRecord;
}
