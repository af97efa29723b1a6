// A target's session protocol (how to log in, read, write and recognise a logged-out answer), its schema, and the
// pure checks the generic scenario (scenarios/protocol-profile.ts) makes of each answer with it. No I/O.
import { z } from "zod";
import { classifyServerError, classifyTransportError } from "./classify.ts";
import type { Answer, Judgement, Profile } from "./person.ts";

/** `{name}` placeholders in a protocol's texts. */
const placeholderPattern = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The placeholders of `text`, in order. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(placeholderPattern)].map((m) => m[1] as string);
}

/** `text` with each `{name}` replaced by `values[name]` (names without a value stay as they are). */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(placeholderPattern, (whole, name: string) => values[name] ?? whole);
}

/** A pattern that must compile as a JavaScript regular expression with one capture group. */
const patternSchema = (what: string) =>
  z.string().superRefine((text, ctx) => {
    try {
      const groups = new RegExp(`${text}|`).exec("")?.length ?? 1;
      if (groups < 2)
        ctx.addIssue({ code: "custom", input: text, message: `expected a pattern with a capture group (${what})` });
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        input: text,
        message: `expected a regular expression that compiles: ${(error as Error).message}`,
      });
    }
  });

/** Where an answer shows a value: a JSON pointer into its JSON body, or a pattern whose first group is the value. */
export const extractorSchema = z.union([
  z.strictObject({ json: z.string().regex(/^(\/.*)?$/, "expected a JSON pointer such as /profile/{key}") }),
  z.strictObject({ pattern: patternSchema("the group is the value") }),
]);
export type Extractor = z.infer<typeof extractorSchema>;

const methodSchema = z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]);
const pathSchema = z.string().regex(/^\/\S*$/, "expected a path starting with /");
const statusesSchema = z.array(z.number().int().min(100).max(599)).min(1);

/** A request with a body: form (application/x-www-form-urlencoded) or JSON, its fields with placeholders. */
const requestSchema = z.strictObject({
  method: methodSchema.default("POST"),
  path: pathSchema,
  body: z.enum(["form", "json"]).default("form"),
  fields: z.record(z.string(), z.string()).default({}),
});

export const protocolSchema = z.strictObject({
  login: requestSchema.extend({
    /** A first request whose answer carries a CSRF token (a cookie, or a pattern in the body), sent with the login. */
    csrf: z
      .strictObject({
        path: pathSchema,
        from: z.union([
          z.strictObject({ cookie: z.string().min(1) }),
          z.strictObject({ pattern: patternSchema("the group is the token") }),
        ]),
        /** Sent as a field of the login's body (`{csrf}` in fields) or as this header. */
        header: z.string().min(1).optional(),
      })
      .optional(),
    /** The statuses of a successful login (default 200). */
    okStatus: statusesSchema.default([200]),
  }),
  read: z.strictObject({
    method: methodSchema.default("GET"),
    path: pathSchema,
    /** Where a read's answer shows whose session it is. */
    user: extractorSchema,
    /** Where it shows the value of field `{key}`; absent when the field is not set. */
    value: extractorSchema,
  }),
  /** Absent: the target is checked for lost sessions only. */
  write: requestSchema.optional(),
  /** Sent at the end of a warm-up so that no session is left behind; absent: none. */
  logout: z.strictObject({ method: methodSchema.default("POST"), path: pathSchema }).optional(),
  /** What a logged-out answer looks like: any one of these. */
  loggedOut: z
    .strictObject({
      status: statusesSchema.optional(),
      /** A redirect (3xx) whose Location path starts with this. */
      redirectTo: pathSchema.optional(),
      pattern: patternSchema("a group around the whole text will do").optional(),
    })
    .refine((s) => s.status || s.redirectTo || s.pattern, "expected at least one of status, redirectTo, pattern"),
});
export type Protocol = z.infer<typeof protocolSchema>;

/** The placeholders each part of a protocol may use. */
export const protocolPlaceholders = {
  login: ["username", "csrf"],
  read: ["key"],
  write: ["key", "value"],
} as const;

/** Reads one JSON pointer (RFC 6901) from a parsed value; undefined when it is not there. */
export function atPointer(value: unknown, pointer: string): unknown {
  if (pointer === "") return value;
  let at: unknown = value;
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (at === null || typeof at !== "object" || !Object.hasOwn(at, token)) return undefined;
    at = (at as Record<string, unknown>)[token];
  }
  return at;
}

/** The value an extractor finds in `text` (a string), or undefined; `values` fill its placeholders. */
export function extract(
  extractor: Extractor,
  text: string,
  values: Readonly<Record<string, string>> = {},
): string | undefined {
  if ("json" in extractor) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    const found = atPointer(parsed, fillPlaceholders(extractor.json, values));
    return typeof found === "string" ? found : undefined;
  }
  const match = new RegExp(fillPlaceholders(extractor.pattern, escapedValues(values))).exec(text);
  return match?.[1];
}

function escapedValues(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")]));
}

/** True when an answer is the target's logged-out answer. `location`: its Location header, if any. */
export function isLoggedOut(protocol: Protocol, answer: Answer, location: string | undefined): boolean {
  const sign = protocol.loggedOut;
  if (sign.status?.includes(answer.status)) return true;
  if (sign.redirectTo && answer.status >= 300 && answer.status < 400 && location !== undefined) {
    const path = location.replace(/^[a-z]+:\/\/[^/]+/i, "");
    if (path.startsWith(sign.redirectTo)) return true;
  }
  return sign.pattern !== undefined && answer.body !== null && new RegExp(sign.pattern).test(answer.body);
}

/**
 * Classifies a read's (or write's) answer for a person, as person.ts's judge does for target-app's JSON: a
 * logged-out answer or another user's page on a request with a session is a lost session; `keys`: the fields whose
 * values the answer is read for.
 */
export function judgeRead(
  protocol: Protocol,
  username: string,
  answer: Answer,
  location: string | undefined,
  carriedSession: boolean,
  keys: readonly string[],
): Judgement {
  if (answer.status === 0) return { cls: classifyTransportError(answer.errorCode, answer.error), reason: answer.error };
  if (answer.status >= 500) return { cls: classifyServerError(answer.status), reason: `HTTP ${answer.status}` };
  if (isLoggedOut(protocol, answer, location)) {
    return carriedSession ? { cls: "lost" } : { cls: "client_error", reason: `logged-out answer without a session` };
  }
  if (answer.status !== 200) {
    return { cls: "client_error", reason: `HTTP ${answer.status}: ${String(answer.body).slice(0, 200)}` };
  }
  const body = answer.body ?? "";
  const user = extract(protocol.read.user, body);
  if (user === undefined) return { cls: "other", reason: `no user in the answer: ${body.slice(0, 200)}` };
  if (user !== username) {
    return carriedSession
      ? { cls: "lost", reason: `answered as ${user}` }
      : { cls: "client_error", reason: `logged in as ${user}` };
  }
  const profile: Profile = {};
  for (const key of keys) {
    const value = extract(protocol.read.value, body, { key });
    if (value !== undefined) profile[key] = value;
  }
  return { cls: "ok", profile };
}

/** A login's answer: ok when its status is one the protocol expects, else a failure or a client error. */
export function judgeLogin(protocol: Protocol, answer: Answer): Judgement {
  if (answer.status === 0) return { cls: classifyTransportError(answer.errorCode, answer.error), reason: answer.error };
  if (answer.status >= 500) return { cls: classifyServerError(answer.status), reason: `HTTP ${answer.status}` };
  if (protocol.login.okStatus.includes(answer.status)) return { cls: "ok" };
  return { cls: "client_error", reason: `login answered HTTP ${answer.status}: ${String(answer.body).slice(0, 200)}` };
}

/** The CSRF token in a first answer: a pattern's group in its body (a cookie is read from the jar by the caller). */
export function csrfFromBody(protocol: Protocol, body: string | null): string | undefined {
  const from = protocol.login.csrf?.from;
  if (!from || !("pattern" in from) || body === null) return undefined;
  return new RegExp(from.pattern).exec(body)?.[1];
}

/** A request's body as the protocol sends it, its fields' placeholders filled. */
export function requestBody(
  request: { body: "form" | "json"; fields: Record<string, string> },
  values: Readonly<Record<string, string>>,
): { form: Record<string, string> } | { json: Record<string, string> } {
  const fields = Object.fromEntries(Object.entries(request.fields).map(([k, v]) => [k, fillPlaceholders(v, values)]));
  return request.body === "form" ? { form: fields } : { json: fields };
}
