// Ctrl-C handling for the CLIs: the first signal stops the run gracefully (fleet restored,
// run.json written), a second one kills every child by PID and exits at once.
import { ExitCode, InterruptedError } from "../errors.ts";
import { killAllChildrenNow } from "../process/child.ts";

export function onInterrupt(controller: AbortController): () => void {
  let signals = 0;
  const handler = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      console.error(`\n[run] ${sig}: stopping the load and restoring the fleet (again to force)`);
      controller.abort(new InterruptedError(sig));
    } else {
      killAllChildrenNow();
      process.exit(ExitCode.interrupted);
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
