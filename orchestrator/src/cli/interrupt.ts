// Ctrl-C handling for the CLIs: the first signal stops the run gracefully (fleet restored,
// run.json written); copies of it relayed by npm or tsx within a short window count once; a later
// signal (the person pressing Ctrl-C again) forces: every child killed by PID, the clean-ups that
// must still run (run.json, compose `down`) awaited, then exit 130.
import { ExitCode, InterruptedError } from "../errors.ts";
import { killAllChildrenNow } from "../process/child.ts";
import { runForcedCleanups } from "../process/forced-stop.ts";

/** Signals this close after the first are the same Ctrl-C relayed by a parent (npm, sh, tsx). */
export const relayWindowMs = 500;

export type InterruptAction = "stop" | "relayed" | "force" | "forcing";

/** Pure: what the signal arriving at `now` means, given the times of the signals before it. */
export class InterruptCounter {
  private firstAt?: number;
  private forced = false;

  constructor(private readonly windowMs = relayWindowMs) {}

  next(now: number): InterruptAction {
    if (this.firstAt === undefined) {
      this.firstAt = now;
      return "stop";
    }
    if (this.forced) return "forcing";
    if (now - this.firstAt < this.windowMs) return "relayed";
    this.forced = true;
    return "force";
  }
}

export function onInterrupt(controller: AbortController): () => void {
  const counter = new InterruptCounter();
  const handler = (sig: NodeJS.Signals) => {
    switch (counter.next(Date.now())) {
      case "stop":
        console.error(`\n[run] ${sig}: stopping the load and restoring the fleet (Ctrl-C again to force)`);
        controller.abort(new InterruptedError(sig));
        return;
      case "relayed":
        console.error(`[run] ${sig} again within ${relayWindowMs} ms (relayed by npm or tsx): counted once`);
        return;
      case "force":
        console.error(`[run] ${sig} again: forcing; every process killed by PID now, run.json written as it stands`);
        killAllChildrenNow();
        void runForcedCleanups().finally(() => process.exit(ExitCode.interrupted));
        return;
      case "forcing":
        console.error(`[run] ${sig}: already forcing; waiting for the clean-ups above (each bounded in time)`);
        return;
    }
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

/** One exit point: runs the command, maps errors to exit codes, stops any child left, exits. */
export async function main(
  name: string,
  run: (argv: string[]) => Promise<ExitCode>,
  exitCodeFor: (err: unknown) => ExitCode,
) {
  let code: ExitCode;
  try {
    code = await run(process.argv.slice(2));
  } catch (err) {
    code = exitCodeFor(err);
    console.error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
  killAllChildrenNow();
  process.exit(code);
}
