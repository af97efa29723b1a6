// The load engine driven live, for the warm-up, the rate check and the fleet bench: the plan's own
// scenario at a rate that can be changed while it runs, judged by the engine's per-second figures
// (its `second` messages) and the CPU of its process and of the machine.
import type { LoadConfig, LoadMessage } from "../../../load/api.ts";
import { HarnessError } from "../errors.ts";
import type { ExitInfo } from "../process/child.ts";
import type { LoadSecond } from "./event-schema.ts";
import { LoadRun } from "./load-run.ts";

/** One second of driven load (its shape: event-schema.ts). Latencies are of answered requests (status < 500), by the second they ended in. */
export type { LoadSecond };

/** The per-second message the engine sends (load/api.ts). */
type SecondMessage = Extract<LoadMessage, { type: "second" }>;

function round1(n: number | null): number | null {
  return n === null ? null : Math.round(n * 10) / 10;
}

/** Starts the engine on `config` (its durationMs is the bound); `setRate` and `stop` while it runs. */
export class DrivenLoad {
  readonly seconds: LoadSecond[] = [];
  readonly run: LoadRun;
  #rate: number;
  #onSecond: (s: LoadSecond) => void = () => {};

  constructor(config: LoadConfig, options: { logFile: string; name?: string; echo?: boolean }) {
    this.#rate = config.rate;
    this.run = new LoadRun(config, {
      name: options.name ?? "load",
      logFile: options.logFile,
      echo: options.echo ?? false,
      onMessage: (message) => {
        if (message.type === "second") this.#second(message);
      },
    });
  }

  get rate(): number {
    return this.#rate;
  }

  /** `onSecond` sees each completed second. */
  onSecond(callback: (s: LoadSecond) => void): void {
    this.#onSecond = callback;
  }

  setRate(rate: number): void {
    this.#rate = rate;
    this.run.send({ type: "set-rate", rate });
  }

  /** Totals so far (the engine's counts). */
  get totals(): { requests: number; failed: number; dropped: number; iterations: number } {
    const c = this.run.counts;
    return {
      requests: c?.requests ?? 0,
      failed: c?.failed ?? 0,
      dropped: c?.dropped ?? 0,
      iterations: c?.iterations ?? 0,
    };
  }

  /** Ends the load cleanly (no new iteration, those in flight finish, records closed); resolves once it exited. */
  stop(): Promise<ExitInfo> {
    return this.run.stop();
  }

  /** Throws a HarnessError when the engine ended with anything but 0 (a bad config, a crash). */
  static check(exit: ExitInfo, load: DrivenLoad, what: string): void {
    if (exit.code === 0) return;
    const why = load.run.errors.length > 0 ? `: ${load.run.errors.join("; ")}` : "";
    throw new HarnessError(`${what}: the load engine exited with ${exit.code ?? exit.signal}${why} (see its log)`);
  }

  #second(m: SecondMessage): void {
    const second: LoadSecond = {
      rate: this.#rate,
      requests: m.requests,
      failed: m.failed,
      dropped: m.dropped,
      p50: round1(m.p50),
      p95: round1(m.p95),
      machineCpuPercent: this.run.cpu.machinePercent.at(-1) ?? null,
      engineCpuPercent: this.run.cpu.processPercent.at(-1) ?? null,
    };
    this.seconds.push(second);
    this.#onSecond(second);
  }
}
