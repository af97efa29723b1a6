// Classifies one HTTP answer (or transport error) into a request record's class. Pure: no I/O.

/** Every class a request record can have. A contract with the orchestrator's aggregator. */
export const REQUEST_CLASSES = [
  "ok",
  "lost",
  "refused",
  "reset",
  "timeout",
  "502",
  "503",
  "504",
  "5xx",
  "client_error",
  "other",
] as const;
export type RequestClass = (typeof REQUEST_CLASSES)[number];

/** The classes that are failed requests: a transport error or a 5xx. */
export const FAILED_CLASSES = ["refused", "reset", "timeout", "502", "503", "504", "5xx", "other"] as const;
export type FailedClass = (typeof FAILED_CLASSES)[number];

/** Error codes of a connection that could not be made: the server is not there. */
const REFUSED = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);
/** An established connection broken by the other side (undici's UND_ERR_SOCKET: "other side closed"). */
const RESET = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);
/** No full answer within the request timeout: undici's header and body timers, its connect timer, the engine's
 * own abort (AbortError / TimeoutError by name, UND_ERR_ABORTED by code). */
const TIMEOUT = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "ETIMEDOUT",
  "UND_ERR_ABORTED",
  "AbortError",
  "TimeoutError",
]);

/**
 * The class of a transport error (no HTTP answer) from Node's or undici's error `code` (or, for an abort, the
 * error's `name`) and its message: refused, reset, timeout, else other.
 */
export function classifyTransportError(code: string, message: string): FailedClass {
  if (REFUSED.has(code)) return "refused";
  if (RESET.has(code)) return "reset";
  if (TIMEOUT.has(code)) return "timeout";
  if (/other side closed|socket hang up|connection reset|broken pipe/i.test(message)) return "reset";
  if (/connection refused/i.test(message)) return "refused";
  if (/timeout|timed out/i.test(message)) return "timeout";
  return "other";
}

/** The failure class of a 5xx status. */
export function classifyServerError(status: number): FailedClass {
  if (status === 502) return "502";
  if (status === 503) return "503";
  if (status === 504) return "504";
  return "5xx";
}

/** True for a transport error (status 0) or a 5xx. */
export function isFailure(status: number): boolean {
  return status === 0 || status >= 500;
}
