// Balancer profiles: a local run reproduces a balancer's health-check timing AND its behaviour
// (retries, the status codes it answers, its sticky cookie, how it drains a target).

export interface HealthProfile {
  /** Time between checks of one server. */
  intervalMs: number;
  /** A check that takes longer than this fails. */
  timeoutMs: number;
  /** Consecutive failed checks before a server is marked DOWN. */
  fall: number;
  /** Consecutive passed checks before a DOWN server is marked UP again. */
  rise: number;
}

/** A status the balancer itself answers with (never the target's own answer). */
export type BalancerStatus = 502 | 503 | 504;

export interface BalancerBehaviour {
  /** Which balancer this profile reproduces, in words for the report. */
  emulates: string;
  /** Retries of a refused connection (HAProxy `retries`); 0: the request fails at once. */
  retries: number;
  /** The last retry goes to another server (HAProxy `option redispatch`). */
  redispatch: boolean;
  /** What the balancer answers when the chosen target refused the connection, reset it, or did not answer in time. */
  answers: { refused: BalancerStatus; reset: BalancerStatus; timeout: BalancerStatus };
  /** The cookie that pins a user to a target (sticky strategy only); maxAgeS: a duration-based cookie. */
  stickyCookie: { name: string; maxAgeS?: number };
  /**
   * A planned stop takes the target out of the balancer first and waits until it has no request
   * in flight, at most this long (an ALB's deregistration delay), then stops it.
   */
  drainTimeoutMs: number;
}

export type BalancerProfile = HealthProfile & BalancerBehaviour;

/** HAProxy's own behaviour: refused connections retried, the last try on another server. */
const haproxyBehaviour = {
  retries: 3,
  redispatch: true,
  // HAProxy's own codes: 503 when no connection could be made, 502 on a reset, 504 on a server timeout.
  answers: { refused: 503, reset: 502, timeout: 504 },
  stickyCookie: { name: "FHSRV" },
  drainTimeoutMs: 30_000,
} as const;

/**
 * What both AWS balancers share with the seeds' settings: checks every 30 s with a 5 s timeout,
 * unhealthy after 2; no retry on another target; a planned stop waits the default 300 s
 * deregistration delay (connection draining), ended early once nothing is in flight.
 */
const awsBalancer = {
  intervalMs: 30_000,
  timeoutMs: 5000,
  fall: 2,
  retries: 0,
  redispatch: false,
  drainTimeoutMs: 300_000,
} as const;

export const healthProfiles = {
  fast: {
    emulates: "HAProxy with fast checks (retries a refused request, the last try on another server)",
    intervalMs: 1000,
    timeoutMs: 1000,
    fall: 2,
    rise: 2,
    ...haproxyBehaviour,
  },
  "haproxy-default": {
    emulates: "HAProxy with its default check interval (retries a refused request, the last try on another server)",
    intervalMs: 2000,
    timeoutMs: 2000,
    fall: 3,
    rise: 2,
    ...haproxyBehaviour,
  },
  "aws-alb": {
    emulates: "an AWS Application Load Balancer (no retry on another target: 502 on a refused or reset connection)",
    ...awsBalancer,
    rise: 5,
    answers: { refused: 502, reset: 502, timeout: 504 },
    // Duration-based stickiness: the ALB's own cookie.
    stickyCookie: { name: "AWSALB", maxAgeS: 86_400 },
  },
  "aws-elb": {
    emulates: "an AWS Classic Load Balancer (no retry: 504 when the instance refuses or closes the connection)",
    ...awsBalancer,
    rise: 10,
    answers: { refused: 504, reset: 504, timeout: 504 },
    stickyCookie: { name: "AWSELB", maxAgeS: 86_400 },
  },
} as const satisfies Record<string, BalancerProfile>;

export type HealthProfileName = keyof typeof healthProfiles;
export const healthProfileNames = Object.keys(healthProfiles) as HealthProfileName[];

/** The longest a dead server can stay UP in the balancer's view: fall checks, each up to interval + timeout. */
export function detectionBoundMs(profile: HealthProfile): number {
  return profile.fall * (profile.intervalMs + profile.timeoutMs);
}

/** The profile's behaviour in one line, for the summary, the report and --help. */
export function describeBehaviour(profile: BalancerProfile): string {
  const retry =
    profile.retries === 0
      ? "no retry"
      : `${profile.retries} retries of a refused connection${profile.redispatch ? ", the last on another server" : ""}`;
  const { refused, reset, timeout } = profile.answers;
  return `${retry}; refused ${refused}, reset ${reset}, no answer ${timeout}; sticky cookie ${profile.stickyCookie.name}; drain up to ${Math.round(profile.drainTimeoutMs / 1000)} s`;
}
