// The app's error catalogue and the one place that turns any error into a JSON status and message.
import { SessionLockLostError } from "./stores/dynamodb-locking-store.ts";
import { SessionEndedError, SessionLockTimeoutError } from "./stores/session-lease.ts";
import { StoreUnavailableError } from "./stores/session-store.ts";

/** An error the client caused or should see, with its HTTP status. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);

/** The body-parser errors we map; body-parser marks them with `type`. */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  limit?: unknown;
  length?: unknown;
  message: string;
}

export function describeError(err: unknown, bodyLimit: string): { status: number; message: string } {
  if (err instanceof StoreUnavailableError) {
    return { status: 503, message: `session store unavailable: ${err.reason}` };
  }
  // The session stays locked by another request of the same user, or this request's lock lapsed before its save.
  if (err instanceof SessionLockTimeoutError || err instanceof SessionLockLostError) {
    return { status: 503, message: err.message };
  }
  // Logged out (on any instance) while this request ran: its write was not applied.
  if (err instanceof SessionEndedError) return { status: 401, message: err.message };
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  if (err instanceof Error) {
    const e = err as BodyParserError;
    if (e.type === "entity.parse.failed") return { status: 400, message: `malformed JSON body: ${e.message}` };
    if (e.type === "entity.too.large") {
      const size = typeof e.length === "number" ? ` of ${e.length} bytes` : "";
      return { status: 413, message: `request body${size} is larger than the limit of ${bodyLimit}` };
    }
    if (typeof e.status === "number" && e.status >= 400 && e.status < 500) {
      // The router's decode error (`DELETE /profile/%zz`) is a URIError with status 400 and no `expose`: its
      // message quotes the client's own text, so it is safe to show. Other unexposed 4xx keep a generic message.
      if (e.expose === true) return { status: e.status, message: e.message };
      if (err instanceof URIError) return { status: e.status, message: `malformed percent-encoding: ${e.message}` };
      return { status: e.status, message: "bad request" };
    }
  }
  return { status: 500, message: "internal error" };
}
