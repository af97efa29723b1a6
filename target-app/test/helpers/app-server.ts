// Test helpers: a real listening app on port 0, and a tiny HTTP client that keeps its own session cookie.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, SESSION_COOKIE } from "../../src/app.ts";
import type { AppConfig, StoreConfig } from "../../src/config.ts";
import type { SessionStore } from "../../src/stores/session-store.ts";

export interface RunningApp {
  url: string;
  store: SessionStore;
  close(): Promise<void>;
}

export function testConfig(instanceId: string, store: StoreConfig): AppConfig {
  return {
    port: 0,
    host: "127.0.0.1",
    instanceId,
    sessionSecret: "test-secret-0123456789",
    sessionTtlSeconds: 3600,
    sessionTouchAfterFraction: 0.1,
    sessionMaxAgeSeconds: 43_200,
    cookieSecure: false,
    trustProxy: 0,
    sessionLock: { ttlMs: 3000, waitMs: 4000 },
    shutdownTimeoutMs: 5000,
    testRoutes: false,
    store,
  };
}

export async function startApp(config: AppConfig, store: SessionStore, now?: () => number): Promise<RunningApp> {
  const server: Server = createServer(createApp({ config, store, now }));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
}

export interface RequestOptions {
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** A raw body with its content type. */
  raw?: { body: string; type: string };
  headers?: Record<string, string>;
}

/** One person: a cookie jar holding the session cookie, sent to whichever app it talks to. */
export class Person {
  cookie: string | undefined;

  async request(base: string, method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(options.form).toString();
    } else if (options.raw) {
      headers["content-type"] = options.raw.type;
      body = options.raw.body;
    }
    if (this.cookie) headers.cookie = `${SESSION_COOKIE}=${this.cookie}`;
    const res = await fetch(base + path, { method, headers, body, redirect: "manual" });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (setCookie) {
      const value = setCookie.slice(SESSION_COOKIE.length + 1).split(";")[0] ?? "";
      this.cookie = value === "" || /expires=Thu, 01 Jan 1970/i.test(setCookie) ? undefined : value;
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }
}

/** The session id inside a signed cookie value (`s:<sid>.<signature>`, URL-encoded). */
export function sessionIdOf(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  const decoded = decodeURIComponent(cookie);
  return decoded.startsWith("s:") ? decoded.slice(2, decoded.lastIndexOf(".")) : undefined;
}
