// Load-balancer health-check profiles: a local run can reproduce a cloud balancer's timing.

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

export const healthProfiles = {
  fast: { intervalMs: 1000, timeoutMs: 1000, fall: 2, rise: 2 },
  "haproxy-default": { intervalMs: 2000, timeoutMs: 2000, fall: 3, rise: 2 },
  "aws-alb": { intervalMs: 30_000, timeoutMs: 5000, fall: 2, rise: 5 },
  "aws-elb": { intervalMs: 30_000, timeoutMs: 5000, fall: 2, rise: 10 },
} as const satisfies Record<string, HealthProfile>;

export type HealthProfileName = keyof typeof healthProfiles;
export const healthProfileNames = Object.keys(healthProfiles) as HealthProfileName[];

/** The longest a dead server can stay UP in the balancer's view: fall checks, each up to interval + timeout. */
export function detectionBoundMs(profile: HealthProfile): number {
  return profile.fall * (profile.intervalMs + profile.timeoutMs);
}
