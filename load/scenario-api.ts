// What a scenario module exports and what its iteration is given: a person's state, an HTTP client bound to that
// person's cookie jar, and a recorder for the records file. Types and one identity helper only.
import type { RequestClass } from "../scenarios/lib/classify.ts";
import type { OpRecord } from "../scenarios/lib/ops.ts";
import type { Answer } from "../scenarios/lib/person.ts";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One request's outcome. Transport errors are answers with status 0 (the client does not throw for them). */
export interface HttpResult {
  answer: Answer;
  /**
   * X-Instance-Id of the answer, else the balancer's X-Served-By (the server it chose, for apps that do not say
   * which instance they are); "none" when it has neither (a transport error, the balancer's own answer).
   */
  instance: string;
  /** The Location header of the answer, when it has one (a redirect). */
  location?: string;
  /** The Server-Timing header as sent, undefined when absent. */
  serverTiming: string | undefined;
  /** Epoch ms when the request was handed to the client and when its answer (or error) was complete. */
  sentAt: number;
  t: number;
  /** t - sentAt. */
  ms: number;
}

/** The person's HTTP client: the engine's connection pool, this person's cookies, the run's request timeout. */
export interface PersonHttp {
  /** Sends `body` (when given) as JSON; reads the whole answer. Resolves for every HTTP status and transport error. */
  request(method: Method, path: string, body?: object): Promise<HttpResult>;
  /** As request, with a form (application/x-www-form-urlencoded) or JSON body and extra headers (a CSRF token). */
  send(
    method: Method,
    path: string,
    body?: { form: Record<string, string> } | { json: object },
    headers?: Record<string, string>,
  ): Promise<HttpResult>;
  /** The value of one of this person's cookies for `path`, undefined when it has none (a CSRF cookie). */
  cookie(name: string, path?: string): string | undefined;
}

/** Writes this person's records (times are stamped by the engine; `person` is filled in). */
export interface Recorder {
  /**
   * One request. Its Server-Timing `store` and `lock` durations are kept for answered requests (class ok or lost).
   * A client_error or other also logs `reason` (at most 20 messages per person).
   */
  request(endpoint: string, result: HttpResult, cls: RequestClass, reason?: string): void;
  sessionStarted(instance: string): void;
  sessionLost(home: string, instance: string): void;
  staleRead(endpoint: string): void;
  indeterminateWrite(): void;
  /** A lost-update operation, stamped with its answer time `op.t1`. */
  op(op: OpRecord): void;
  /** A message on the engine's stderr, prefixed with the person's username (at most 20 per person). */
  warn(message: string): void;
}

/** Who a person of the pool is. */
export interface PersonInfo {
  /** 0-based index in the pool (over all workers). */
  index: number;
  /** 1-based number, as k6's __VU was: index + 1. */
  vu: number;
  /** `${runId}-u${vu}`: unique per run. */
  username: string;
}

export interface IterationContext<S> {
  /** This person's state, kept across iterations (one iteration at a time per person). */
  state: S;
  person: PersonInfo;
  /** This person's own iteration number, from 0 (k6's __ITER). */
  iteration: number;
  http: PersonHttp;
  record: Recorder;
}

/** A scenario module's default export. */
export interface ScenarioDefinition<S = unknown> {
  /** The name `--scenario` takes (the file is scenarios/<name>.ts). */
  name: string;
  /** Requests one person may have in flight at once (tabs of one browser); the pool opens this many per person. */
  connectionsPerPerson?: number;
  /** The person's state before its first iteration; `options`: the run's LoadConfig.scenarioOptions, if any. */
  newState(person: PersonInfo, options?: Record<string, unknown>): S;
  /** One iteration. A throw counts it as failed (class other) and is logged; the run goes on. */
  iteration(context: IterationContext<S>): Promise<void>;
  /**
   * Run once per person on a clean stop when the config asks (LoadConfig.logoutAtEnd), after the last iteration:
   * e.g. log out. Its requests are not recorded; a throw is ignored.
   */
  end?(context: IterationContext<S>): Promise<void>;
}

/** Types a scenario definition (the identity). */
export function defineScenario<S>(definition: ScenarioDefinition<S>): ScenarioDefinition<S> {
  return definition;
}
