// Classifies one HTTP answer (or transport error) into the `class` tag of `fh_req`. Pure: no k6 imports.

/** Every value the `class` tag of `fh_req` can take. A contract with the orchestrator's aggregator. */
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

/**
 * k6 error codes (https://grafana.com/docs/k6/latest/javascript-api/error-codes/, and
 * lib/netext/httpext/error_codes.go in k6):
 * 1050 request timeout; 1211 dial timeout; 1210 dial error, 1212 dial refused, 1213 dial unknown
 * errno; 1200 generic TCP error after connecting, 1201 broken pipe, 1202 unknown errno on read or
 * write, 1220 reset by peer. A server that dies mid-response shows up as 1000 with "EOF" in the
 * message, which we also count as a reset.
 */
export function classifyTransportError(errorCode: number, error: string): FailedClass {
  if (errorCode === 1050 || errorCode === 1211) return "timeout";
  if (errorCode === 1210 || errorCode === 1212 || errorCode === 1213) return "refused";
  if (errorCode === 1200 || errorCode === 1201 || errorCode === 1202 || errorCode === 1220) return "reset";
  if (/EOF|connection reset|broken pipe/i.test(error)) return "reset";
  if (/connection refused/i.test(error)) return "refused";
  if (/timeout/i.test(error)) return "timeout";
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
