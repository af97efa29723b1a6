// The run's timeline: faults, load-balancer state changes and the load engine's start/end, in wall-clock ms.

export type RunEvent =
  | { t: number; type: "load-start" | "load-end" | "warm-up"; detail?: Record<string, unknown> }
  | {
      t: number;
      type: "fault";
      action: string;
      target: string;
      phase: "start" | "end";
      detail?: Record<string, unknown>;
    }
  | { t: number; type: "lb-state"; target: string; state: string }
  /** Store audit and balancer probes taken just before a fault that takes an instance away. */
  | { t: number; type: "audit"; target: string; detail: Record<string, unknown> }
  /** The balancer's count of requests the victim never answered, read after the fault. */
  | { t: number; type: "probe"; target: string; detail: Record<string, unknown> }
  /**
   * The balancer's retry counters summed over the fleet (HAProxy's wretr, wredis) when the load
   * starts and when it ends: `requests.retriedByBalancer` is the difference.
   */
  | { t: number; type: "lb-counters"; detail: { phase: "start" | "end"; retries: number; redispatches: number } }
  /** One cloud API call the platform made (ec2): service, command, input, outcome. */
  | { t: number; type: "api-call"; detail: Record<string, unknown> };

type WithoutTime<E> = E extends RunEvent ? Omit<E, "t"> : never;

export class EventLog {
  readonly events: RunEvent[] = [];

  add(event: WithoutTime<RunEvent>, t = Date.now()): RunEvent {
    const full = { t, ...event } as RunEvent;
    this.events.push(full);
    return full;
  }
}
