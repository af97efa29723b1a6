// One simulated person's own record (docs/verification.md) and the pure
// checks of each answer against it. No I/O: unit-tested without a server.
import { classifyServerError, classifyTransportError, type RequestClass } from "./classify.ts";

export type Profile = Record<string, string>;

function has(record: object, key: string): boolean {
  return Object.getOwnPropertyDescriptor(record, key) !== undefined;
}

/** What the person believes; the engine keeps one per person of the pool, across iterations. */
export interface Person {
  username: string;
  loggedIn: boolean;
  /** X-Instance-Id of the answer that started the current session. */
  homeInstance: string;
  /** Every field as this person last wrote it successfully in the current session. */
  profile: Profile;
  /**
   * Fields with an indeterminate write (transport error or 5xx): every value the server may hold
   * (null = field absent) until the next successful read of the profile.
   */
  pending: Record<string, Array<string | null>>;
}

export function newPerson(username: string): Person {
  return { username, loggedIn: false, homeInstance: "none", profile: {}, pending: {} };
}

/** A new session has begun: the server starts it with an empty profile. */
export function startSession(person: Person, instance: string): void {
  person.loggedIn = true;
  person.homeInstance = instance;
  person.profile = {};
  person.pending = {};
}

/** The session is gone; the next iteration logs in again with the same username. */
export function endSession(person: Person): void {
  person.loggedIn = false;
  person.profile = {};
  person.pending = {};
}

/** The parts of an HTTP answer the checks need (plain data, so tests can build them). */
export interface Answer {
  /** The HTTP status; 0 for a transport error (no answer). */
  status: number;
  /** A transport error's Node/undici code (or an abort's name); "" when answered. */
  errorCode: string;
  /** A transport error's message; "" when answered. */
  error: string;
  /** The answer's body; null for a transport error. */
  body: string | null;
}

export type Judgement = { cls: RequestClass; profile?: Profile; reason?: string };

function parseBody(body: unknown): { username?: unknown; profile?: unknown } | null {
  if (typeof body !== "string") return null;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === "object" ? (parsed as { username?: unknown; profile?: unknown }) : null;
  } catch {
    return null;
  }
}

function asProfile(value: unknown): Profile | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const profile: Profile = {};
  for (const [key, field] of Object.entries(value)) {
    if (typeof field !== "string") return null;
    profile[key] = field;
  }
  return profile;
}

/**
 * Classifies an answer to a request from `person`. `carriedSession` says whether the person
 * believed it was logged in when sending it: then a 401 or another user's profile is a lost
 * session (`lost`), otherwise it is a harness bug (`client_error`).
 */
export function judge(person: Person, answer: Answer, carriedSession: boolean): Judgement {
  if (answer.status === 0) return { cls: classifyTransportError(answer.errorCode, answer.error), reason: answer.error };
  if (answer.status >= 500) return { cls: classifyServerError(answer.status), reason: `HTTP ${answer.status}` };
  if (answer.status === 401) {
    return carriedSession ? { cls: "lost" } : { cls: "client_error", reason: "401 without a session" };
  }
  if (answer.status !== 200) return { cls: "client_error", reason: `HTTP ${answer.status}: ${String(answer.body)}` };
  const body = parseBody(answer.body);
  const profile = asProfile(body?.profile);
  if (body === null || typeof body.username !== "string" || profile === null) {
    return { cls: "other", reason: `unexpected 200 body: ${String(answer.body).slice(0, 200)}` };
  }
  if (body.username !== person.username) {
    return carriedSession
      ? { cls: "lost", reason: `answered as ${body.username}` }
      : { cls: "client_error", reason: `logged in as ${body.username}` };
  }
  return { cls: "ok", profile };
}

/**
 * The fields of `shown` (a profile the server returned for a healthy session) that do not hold
 * what this person last wrote successfully. A field with a pending indeterminate write accepts any
 * of its possible values. `justWritten` is the field the answered request itself set.
 */
export function staleFields(person: Person, shown: Profile, justWritten?: { key: string; value: string }): string[] {
  const expected: Profile = { ...person.profile };
  const pending: Record<string, Array<string | null>> = { ...person.pending };
  if (justWritten) {
    expected[justWritten.key] = justWritten.value;
    delete pending[justWritten.key];
  }
  const stale: string[] = [];
  const keys = new Set([...Object.keys(expected), ...Object.keys(shown), ...Object.keys(pending)]);
  for (const key of keys) {
    const value = has(shown, key) ? (shown[key] ?? null) : null;
    const accepted = pending[key] ?? [has(expected, key) ? (expected[key] ?? null) : null];
    if (!accepted.includes(value)) stale.push(key);
  }
  return stale.sort();
}

/**
 * After a successful read: every pending field takes the value the server shows when it is one of
 * the possible ones (otherwise the last successful write stays the expectation), and nothing is
 * pending any more. A write's own field is then recorded as written.
 */
export function settleAfterRead(person: Person, shown: Profile, justWritten?: { key: string; value: string }): void {
  for (const [key, accepted] of Object.entries(person.pending)) {
    const value = has(shown, key) ? (shown[key] ?? null) : null;
    if (!accepted.includes(value)) continue;
    if (value === null) delete person.profile[key];
    else person.profile[key] = value;
  }
  person.pending = {};
  if (justWritten) person.profile[justWritten.key] = justWritten.value;
}

/** A write failed with a transport error or 5xx: it may or may not have been applied. */
export function recordIndeterminateWrite(person: Person, key: string, value: string): void {
  const before = person.pending[key] ?? [has(person.profile, key) ? (person.profile[key] ?? null) : null];
  person.pending[key] = before.includes(value) ? before : [...before, value];
}
