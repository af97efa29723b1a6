// The run's timeline: faults, load-balancer state changes and the load engine's start/end, in wall-clock ms.
// Each event's shape is in event-schema.ts (part of run.json's schema).
import type { RunEvent } from "./event-schema.ts";

export type { RunEvent };

type WithoutTime<E> = E extends RunEvent ? Omit<E, "t"> : never;

export class EventLog {
  readonly events: RunEvent[] = [];

  add(event: WithoutTime<RunEvent>, t = Date.now()): RunEvent {
    const full = { t, ...event } as RunEvent;
    this.events.push(full);
    return full;
  }
}
