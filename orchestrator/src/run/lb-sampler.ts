// Samples the balancer's view of each instance on an interval and records every UP/DOWN change.
import type { Platform } from "../platforms/types.ts";
import type { EventLog } from "./events.ts";

export class LbSampler {
  private readonly last = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private inFlightRead?: Promise<void>;
  errors = 0;

  constructor(
    private readonly platform: Platform,
    private readonly log: EventLog,
    private readonly intervalMs = 200,
  ) {}

  /** Records the current state of every server, then keeps sampling until stop(). */
  async start(): Promise<void> {
    await this.sample();
    const tick = () => {
      this.inFlightRead = this.sample().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    clearTimeout(timer);
    await this.inFlightRead;
  }

  private async sample(): Promise<void> {
    let states: Awaited<ReturnType<Platform["lbStates"]>>;
    try {
      states = await this.platform.lbStates();
    } catch {
      this.errors++;
      return;
    }
    const t = Date.now();
    for (const [target, { status }] of states) {
      if (this.last.get(target) === status) continue;
      this.last.set(target, status);
      this.log.add({ type: "lb-state", target, state: status }, t);
    }
  }
}
