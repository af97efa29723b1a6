// Writes a load engine records file for the bench (load/records.ts): per iteration its `iteration`
// record and two or three requests, plus sessions started and a crash of app-2 at 1/3 (failures,
// lost sessions, indeterminate writes) healed at 2/3: the mix of a real run's records.
import type { LoadRecord } from "../../load/api.ts";
import { RecordsWriter } from "../../load/records.ts";
import { seededRandom } from "../../orchestrator/src/plan/seed.ts";

const ENDPOINTS = ["profile_get", "profile_set"] as const;
const INSTANCES = ["app-1", "app-2", "app-3"];

export interface GeneratedRun {
  records: number;
  requests: number;
  startMs: number;
  crashMs: number;
  restartMs: number;
  endMs: number;
}

/** Writes about `records` records (stopping at the first iteration boundary past it) to `path`. */
export async function generateRecords(
  path: string,
  records: number,
  startMs = Date.UTC(2026, 0, 1),
): Promise<GeneratedRun> {
  const rand = seededRandom(42);
  const out = new RecordsWriter(path, { t0: startMs, generatedBy: "reports/bench" }, { flushEveryMs: 0 });
  let requests = 0;
  const write = (record: LoadRecord) => {
    out.write(record);
    if (record.kind === "request") requests++;
  };
  // ~3.2 records per iteration of ~2.05 requests: 50 iterations/s.
  const durationMs = Math.round((records / 3.2 / 50) * 1000);
  const crashMs = startMs + Math.round(durationMs / 3);
  const restartMs = startMs + Math.round((2 * durationMs) / 3);
  const sessions = new Map<number, string>();
  let t = startMs;
  while (out.count < records) {
    t += 20 * (0.5 + rand());
    const crashed = t >= crashMs && t < restartMs;
    const person = Math.floor(rand() * 50);
    if (rand() < 0.001) {
      write({ kind: "dropped", t });
      continue;
    }
    write({ kind: "iteration", scheduled: t, started: t + rand() * rand() * 2, person });
    const count = 2 + (rand() < 0.05 ? 1 : 0);
    for (let r = 0; r < count; r++) {
      const at = t + r * 3 + rand();
      let home = sessions.get(person);
      let instance = home ?? INSTANCES[Math.floor(rand() * 3)]!;
      let cls: "ok" | "lost" | "reset" = "ok";
      let ms = 1.2 + rand() * rand() * 20;
      if (rand() < 0.002) ms += 900;
      const endpoint = home ? ENDPOINTS[r % 2]! : "login";
      if (crashed && instance === "app-2") {
        if (rand() < 0.05) {
          cls = "reset";
          instance = "none";
        } else if (home === "app-2") {
          cls = "lost";
          instance = "app-1";
          sessions.delete(person);
          write({ kind: "session-lost", t: at, home: "app-2", instance: "app-1", person });
          home = undefined;
        } else instance = "app-3";
      }
      if (!home && cls === "ok") {
        sessions.set(person, instance);
        write({ kind: "session-started", t: at, instance, person });
      }
      const answered = cls !== "reset";
      write({
        kind: "request",
        t: at,
        endpoint,
        instance,
        cls,
        ms,
        storeMs: answered ? ms * 0.3 : null,
        lockMs: null,
        person,
      });
      if (cls === "reset" && endpoint === "profile_set") write({ kind: "indeterminate-write", t: at, person });
    }
  }
  const written = out.count;
  await out.close();
  return { records: written, requests, startMs, crashMs, restartMs, endMs: Math.ceil(t) };
}
