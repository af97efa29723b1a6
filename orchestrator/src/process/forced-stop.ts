// What a forced stop (a second Ctrl-C) still does before the orchestrator exits: clean-ups that
// must not be skipped (the compose project's `down`), each bounded by its own timeout.

type Cleanup = () => Promise<unknown>;

const cleanups = new Map<symbol, { what: string; run: Cleanup }>();

/** Registers a clean-up for a forced stop; the returned function removes it (once it ran normally). */
export function onForcedStop(what: string, run: Cleanup): () => void {
  const key = Symbol(what);
  cleanups.set(key, { what, run });
  return () => cleanups.delete(key);
}

/** Runs every registered clean-up at once and waits for all of them; failures are printed, not thrown. */
export async function runForcedCleanups(log: (line: string) => void = console.error): Promise<void> {
  const pending = [...cleanups.values()];
  cleanups.clear();
  await Promise.all(
    pending.map(async ({ what, run }) => {
      log(`[run] forced stop: still running ${what}`);
      try {
        await run();
        log(`[run] forced stop: ${what} done`);
      } catch (err) {
        log(`[run] forced stop: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
}
