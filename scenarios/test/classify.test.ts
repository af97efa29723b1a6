// Request classes: Node's and undici's transport error codes, and 5xx statuses, each mapped as the verdict expects.
import { describe, expect, it } from "vitest";
import { classifyServerError, classifyTransportError, isFailure } from "../lib/classify.ts";

describe("classifyTransportError", () => {
  it.each([
    ["ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:8080", "refused"],
    ["EHOSTUNREACH", "connect EHOSTUNREACH", "refused"],
    ["ENETUNREACH", "connect ENETUNREACH", "refused"],
    ["EADDRNOTAVAIL", "connect EADDRNOTAVAIL", "refused"],
    ["ECONNRESET", "read ECONNRESET", "reset"],
    ["EPIPE", "write EPIPE", "reset"],
    ["UND_ERR_SOCKET", "other side closed", "reset"],
    ["UND_ERR_HEADERS_TIMEOUT", "Headers Timeout Error", "timeout"],
    ["UND_ERR_BODY_TIMEOUT", "Body Timeout Error", "timeout"],
    ["UND_ERR_CONNECT_TIMEOUT", "Connect Timeout Error", "timeout"],
    ["ETIMEDOUT", "connect ETIMEDOUT", "timeout"],
    ["UND_ERR_ABORTED", "Request aborted", "timeout"],
    ["AbortError", "This operation was aborted", "timeout"],
    ["TimeoutError", "The operation was aborted due to timeout", "timeout"],
    ["UND_ERR_INVALID_ARG", "invalid method", "other"],
    ["", "weird", "other"],
  ] as const)("%s (%s) is %s", (code, message, cls) => {
    expect(classifyTransportError(code, message)).toBe(cls);
  });

  it("falls back on the message when the code is unknown", () => {
    expect(classifyTransportError("", "other side closed")).toBe("reset");
    expect(classifyTransportError("", "socket hang up")).toBe("reset");
    expect(classifyTransportError("", "connection refused")).toBe("refused");
    expect(classifyTransportError("", "request timeout after 5000 ms")).toBe("timeout");
  });
});

describe("classifyServerError and isFailure", () => {
  it("keeps 502, 503 and 504 apart from other 5xx", () => {
    expect([500, 502, 503, 504, 599].map(classifyServerError)).toEqual(["5xx", "502", "503", "504", "5xx"]);
  });

  it("a transport error (status 0) or a 5xx is a failure; 4xx and 2xx are answers", () => {
    expect([0, 500, 503].every(isFailure)).toBe(true);
    expect([200, 302, 401, 404, 499].some(isFailure)).toBe(false);
  });
});
