// Validation of request bodies and profile keys; every failure is a 400 whose message names the problem.
import { badRequest } from "./http-errors.ts";

const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;
const USERNAME_RULE = "1 to 64 characters [A-Za-z0-9_.@-]";
const KEY = /^[A-Za-z0-9_-]{1,64}$/;
const KEY_RULE = "1 to 64 characters [A-Za-z0-9_-]";
/** Names that could reach an object's prototype; refused even though they match KEY. */
export const RESERVED_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];
export const MAX_VALUE_LENGTH = 1024;
export const MAX_PROFILE_FIELDS = 50;

const kindOf = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "an array" : typeof value);

/** Quotes a client's string for a message, cut short so that a huge input does not make a huge reply. */
const quote = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);

/** The body as a record with exactly the allowed fields (missing ones are undefined). */
function fieldsOf(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(`request body must be an object with ${allowed.join(", ")}, got ${kindOf(body)}`);
  }
  const unknown = Object.keys(body).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    const names = unknown.map(quote).join(", ");
    throw badRequest(
      `unknown field${unknown.length > 1 ? "s" : ""} in request body: ${names} (expected: ${allowed.join(", ")})`,
    );
  }
  return body as Record<string, unknown>;
}

function checkedString(name: string, value: unknown, pattern: RegExp, rule: string): string {
  if (value === undefined || value === "") throw badRequest(`${name} is required: expected ${rule}`);
  if (typeof value !== "string") throw badRequest(`${name} must be a string of ${rule}, got ${kindOf(value)}`);
  if (value.length > 64) throw badRequest(`${name} is ${value.length} characters long: expected ${rule}`);
  if (!pattern.test(value)) throw badRequest(`${name} ${quote(value)} is not valid: expected ${rule}`);
  return value;
}

export function parseLogin(body: unknown): { username: string } {
  const { username } = fieldsOf(body, ["username"]);
  return { username: checkedString("username", username, USERNAME, USERNAME_RULE) };
}

export function parseProfileKey(key: unknown): string {
  if (typeof key === "string" && RESERVED_KEYS.includes(key)) {
    throw badRequest(`key ${quote(key)} is not allowed: ${RESERVED_KEYS.join(", ")} are reserved`);
  }
  return checkedString("key", key, KEY, KEY_RULE);
}

export function parseProfileField(body: unknown): { key: string; value: string } {
  const { key, value } = fieldsOf(body, ["key", "value"]);
  const checkedKey = parseProfileKey(key);
  if (typeof value !== "string") {
    throw badRequest(`value must be a string of at most ${MAX_VALUE_LENGTH} characters, got ${kindOf(value)}`);
  }
  if (value.length > MAX_VALUE_LENGTH) {
    throw badRequest(`value is ${value.length} characters long: expected at most ${MAX_VALUE_LENGTH}`);
  }
  return { key: checkedKey, value };
}
