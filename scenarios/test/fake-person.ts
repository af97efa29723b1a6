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
}

/** Answers each request with `answer(sent)`: a status and a body object (status 0 = transport error `code`). */
export type Script = (sent: Sent) => { status: number; body?: object; code?: string; instance?: string };

export class FakeHttp implements PersonHttp {
  sent: Sent[] = [];
  clock = 1000;

  constructor(public script: Script) {}

  async request(method: Method, path: string, body?: object): Promise<HttpResult> {
    const sent = { method, path, ...(body ? { body } : {}) };
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
        body: transport ? null : JSON.stringify(reply.body ?? {}),
      },
      instance: transport ? "none" : (reply.instance ?? "app-1"),
      serverTiming: undefined,
      sentAt,
      t,
      ms: t - sentAt,
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
export function person<S>(scenario: ScenarioDefinition<S>, script: Script) {
  const info: PersonInfo = { index: 0, vu: 1, username: "r1-u1" };
  const http = new FakeHttp(script);
  const record = new FakeRecorder();
  const context: IterationContext<S> = { state: scenario.newState(info), person: info, iteration: 0, http, record };
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
