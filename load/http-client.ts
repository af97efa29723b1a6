// The engine's HTTP side: one undici Pool for the base URL, and per person a client bound to its own cookie jar
// (tough-cookie). Every answer is read whole; transport errors become answers with status 0 and a Node/undici code.
import { CookieJar } from "tough-cookie";
import { Pool } from "undici";
import type { Answer } from "../scenarios/lib/person.ts";
import type { HttpResult, Method, PersonHttp } from "./scenario-api.ts";

/** Epoch ms with sub-millisecond precision (one clock for every record). */
export function clock(): number {
  return performance.timeOrigin + performance.now();
}

/** Thrown by a person's client once the engine has stopped taking requests: the iteration ends, unrecorded. */
export class EngineStopped extends Error {
  constructor() {
    super("the load engine is stopping");
  }
}

/** The code an error is classified by: its own code, its cause's, or its name (AbortError, TimeoutError). */
export function errorCodeOf(error: unknown): string {
  if (error === null || typeof error !== "object") return "";
  const e = error as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
  if (typeof e.code === "string" && e.code !== "") return e.code;
  if (e.cause && typeof e.cause.code === "string") return e.cause.code;
  return typeof e.name === "string" && e.name !== "Error" ? e.name : "";
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

export interface HttpPoolOptions {
  baseUrl: string;
  connections: number;
  requestTimeoutMs: number;
}

/** The shared pool and the engine's stop switches. */
export class HttpPool {
  readonly pool: Pool;
  /** False once the engine is stopping: new requests throw EngineStopped. */
  acceptingRequests = true;
  /** True after a hard stop: answers still arriving are dropped (EngineStopped), not recorded. */
  hardStopped = false;

  constructor(readonly options: HttpPoolOptions) {
    const timeout = options.requestTimeoutMs;
    this.pool = new Pool(options.baseUrl, {
      connections: options.connections,
      pipelining: 1,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connectTimeout: timeout,
    });
  }

  /** A client for one person, with an empty cookie jar. */
  client(): PersonHttp {
    return new PersonClient(this);
  }

  /** Ends every connection now; requests in flight fail (and, after hardStop, are not recorded). */
  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}

const JSON_HEADERS = { "content-type": "application/json", accept: "application/json" };
const FORM_HEADERS = { "content-type": "application/x-www-form-urlencoded", accept: "text/html,application/json" };

class PersonClient implements PersonHttp {
  private readonly jar = new CookieJar();
  /** Cookie header per request path, valid until a Set-Cookie arrives or a cookie expires. */
  private cookies = new Map<string, string>();
  private cookiesExpire = Number.POSITIVE_INFINITY;
  private hasCookies = false;

  constructor(private readonly http: HttpPool) {}

  private cookieHeader(path: string): string {
    if (!this.hasCookies) return "";
    if (Date.now() >= this.cookiesExpire) {
      this.cookies.clear();
      this.cookiesExpire = Number.POSITIVE_INFINITY;
    }
    let header = this.cookies.get(path);
    if (header === undefined) {
      const url = this.http.options.baseUrl + path;
      header = this.jar.getCookieStringSync(url);
      for (const cookie of this.jar.getCookiesSync(url)) {
        const expires = cookie.expiryTime();
        if (expires !== undefined && expires < this.cookiesExpire) this.cookiesExpire = expires;
      }
      this.cookies.set(path, header);
    }
    return header;
  }

  private takeCookies(setCookie: string | string[] | undefined, path: string): void {
    if (setCookie === undefined) return;
    const url = this.http.options.baseUrl + path;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      this.jar.setCookieSync(line, url, { ignoreError: true });
    }
    this.hasCookies = true;
    this.cookies.clear();
    this.cookiesExpire = Number.POSITIVE_INFINITY;
  }

  request(method: Method, path: string, body?: object): Promise<HttpResult> {
    return this.exchange(method, path, body === undefined ? null : JSON.stringify(body), JSON_HEADERS);
  }

  send(
    method: Method,
    path: string,
    body?: { form: Record<string, string> } | { json: object },
    headers: Record<string, string> = {},
  ): Promise<HttpResult> {
    if (body === undefined) return this.exchange(method, path, null, { ...JSON_HEADERS, ...headers });
    if ("form" in body) {
      const form = new URLSearchParams(body.form).toString();
      return this.exchange(method, path, form, { ...FORM_HEADERS, ...headers });
    }
    return this.exchange(method, path, JSON.stringify(body.json), { ...JSON_HEADERS, ...headers });
  }

  cookie(name: string, path = "/"): string | undefined {
    return this.jar.getCookiesSync(this.http.options.baseUrl + path).find((c) => c.key === name)?.value;
  }

  private async exchange(
    method: Method,
    path: string,
    payload: string | null,
    baseHeaders: Record<string, string>,
  ): Promise<HttpResult> {
    const http = this.http;
    if (!http.acceptingRequests) throw new EngineStopped();
    const cookie = this.cookieHeader(path);
    const headers = cookie === "" ? baseHeaders : { ...baseHeaders, cookie };
    const sentAt = clock();
    let answer: Answer;
    let instance = "none";
    let serverTiming: string | undefined;
    let location: string | undefined;
    try {
      const res = await http.pool.request({ path, method, headers, body: payload });
      const text = await res.body.text();
      const h = res.headers;
      this.takeCookies(h["set-cookie"], path);
      instance = headerValue(h["x-instance-id"]) || headerValue(h["x-served-by"]) || "none";
      serverTiming = headerValue(h["server-timing"]);
      location = headerValue(h.location);
      answer = { status: res.statusCode, errorCode: "", error: "", body: text };
    } catch (error) {
      if (http.hardStopped) throw new EngineStopped();
      const message = error instanceof Error ? error.message : String(error);
      answer = { status: 0, errorCode: errorCodeOf(error), error: message, body: null };
    }
    const t = clock();
    if (http.hardStopped) throw new EngineStopped();
    const ms = t - sentAt;
    if (answer.status !== 0 && ms > http.options.requestTimeoutMs) {
      // undici's timers are per phase (headers, then body); the request timeout is for the whole answer.
      const error = `no full answer within the request timeout (${http.options.requestTimeoutMs} ms)`;
      answer = { status: 0, errorCode: "TimeoutError", error, body: null };
      instance = "none";
      serverTiming = undefined;
    }
    return location === undefined
      ? { answer, instance, serverTiming, sentAt, t, ms }
      : { answer, instance, serverTiming, sentAt, t, ms, location };
  }
}

/**
 * Runs the client's code paths once against a throw-away server of this process (127.0.0.1, port 0) before t0:
 * undici compiles its HTTP parser on first use, which would otherwise delay (and drop) the first arrivals.
 * No request reaches the system under test.
 */
export async function warmUpClient(requests = 50): Promise<void> {
  const { createServer } = await import("node:http");
  const server = createServer((_req, res) => {
    res.setHeader("set-cookie", "warm=1; Path=/; Max-Age=60");
    res.setHeader("content-type", "application/json");
    res.end('{"username":"warm","profile":{}}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const http = new HttpPool({ baseUrl: `http://127.0.0.1:${port}`, connections: 4, requestTimeoutMs: 5000 });
  try {
    const client = http.client();
    for (let i = 0; i < requests; i++) {
      const result = await client.request(i % 2 ? "GET" : "POST", "/profile", i % 2 ? undefined : { i });
      JSON.parse(result.answer.body ?? "null");
    }
  } finally {
    await http.pool.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
