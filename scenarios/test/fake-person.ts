// Test helpers: a scripted HTTP client and a recorder that keeps every call, to run a scenario's iteration without
// a server or the engine.

import type {
  HttpResult,
  IterationContext,
  Method,
  PersonHttp,
  PersonInfo,
  Recorder,
  ScenarioDefinition,
} from "../../load/scenario-api.ts";
import type { RequestClass } from "../lib/classify.ts";
import type { OpRecord } from "../lib/ops.ts";

export interface Sent {
  method: Method;
  path: string;
  body?: object;
  /** How send() sent the body: form or JSON (request() sends JSON). */
  as?: "form" | "json";
  headers?: Record<string, string>;
}

/**
 * Answers each request with `answer(sent)`: a status and a body object, or a raw `text` body (HTML), a `location`
 * (a redirect); status 0 = transport error `code`.
 */
export type Script = (sent: Sent) => {
  status: number;
  body?: object;
  text?: string;
  location?: string;
  code?: string;
  instance?: string;
};

export class FakeHttp implements PersonHttp {
  sent: Sent[] = [];
  clock = 1000;

  constructor(public script: Script) {}

  /** Cookies the scripted server set (the CSRF cookie). */
  cookies: Record<string, string> = {};

  cookie(name: string): string | undefined {
    return this.cookies[name];
  }

  send(
    method: Method,
    path: string,
    body?: { form: Record<string, string> } | { json: object },
    headers?: Record<string, string>,
  ): Promise<HttpResult> {
    const as = body === undefined ? undefined : "form" in body ? ("form" as const) : ("json" as const);
    const fields = body === undefined ? undefined : "form" in body ? body.form : body.json;
    return this.answer({ method, path, ...(fields ? { body: fields, as } : {}), ...(headers ? { headers } : {}) });
  }

  async request(method: Method, path: string, body?: object): Promise<HttpResult> {
    return this.answer({ method, path, ...(body ? { body } : {}) });
  }

  private async answer(sent: Sent): Promise<HttpResult> {
    this.sent.push(sent);
    const reply = this.script(sent);
    const sentAt = this.clock++;
    const t = this.clock++;
    const transport = reply.status === 0;
    return {
      answer: {
        status: reply.status,
        errorCode: transport ? (reply.code ?? "ECONNRESET") : "",
        error: transport ? "boom" : "",
        body: transport ? null : (reply.text ?? JSON.stringify(reply.body ?? {})),
      },
      instance: transport ? "none" : (reply.instance ?? "app-1"),
      serverTiming: undefined,
      sentAt,
      t,
      ms: t - sentAt,
      ...(reply.location ? { location: reply.location } : {}),
    };
  }
}

export type Call =
  | { kind: "request"; endpoint: string; cls: RequestClass }
  | { kind: "session-started"; instance: string }
  | { kind: "session-lost"; home: string; instance: string }
  | { kind: "stale-read"; endpoint: string }
  | { kind: "indeterminate-write" }
  | { kind: "op"; op: OpRecord }
  | { kind: "warn"; message: string };

export class FakeRecorder implements Recorder {
  calls: Call[] = [];
  request(endpoint: string, _result: HttpResult, cls: RequestClass): void {
    this.calls.push({ kind: "request", endpoint, cls });
  }
  sessionStarted(instance: string): void {
    this.calls.push({ kind: "session-started", instance });
  }
  sessionLost(home: string, instance: string): void {
    this.calls.push({ kind: "session-lost", home, instance });
  }
  staleRead(endpoint: string): void {
    this.calls.push({ kind: "stale-read", endpoint });
  }
  indeterminateWrite(): void {
    this.calls.push({ kind: "indeterminate-write" });
  }
  op(op: OpRecord): void {
    this.calls.push({ kind: "op", op });
  }
  warn(message: string): void {
    this.calls.push({ kind: "warn", message });
  }
  take(): Call[] {
    const calls = this.calls;
    this.calls = [];
    return calls;
  }
}

/** One person of `scenario` with a scripted client; `run()` runs its next iteration. */
export function person<S>(scenario: ScenarioDefinition<S>, script: Script, options?: Record<string, unknown>) {
  const info: PersonInfo = { index: 0, vu: 1, username: "r1-u1" };
  const http = new FakeHttp(script);
  const record = new FakeRecorder();
  const state = scenario.newState(info, options);
  const context: IterationContext<S> = { state, person: info, iteration: 0, http, record };
  return {
    http,
    record,
    context,
    async run() {
      await scenario.iteration(context);
      context.iteration++;
    },
  };
}
