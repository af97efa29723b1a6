// A target's store audit (its target file's `audit`) as the platforms' audits take it: which files of an instance's
// session folder are sessions and how each shows its user and expiry; which Redis keys are, and how a value shows
// its user. Pure.
import { atPointer, extract } from "../../../scenarios/lib/protocol.ts";
import type { DiskSessionFiles } from "../platforms/disk-sessions.ts";
import type { StoredSessions } from "../strategies/types.ts";
import type { Target } from "./target-file.ts";

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The disk audit of a target; undefined when its file has none (no disk strategy). */
export function diskSessionFiles(target: Target): DiskSessionFiles | undefined {
  const disk = target.audit.disk;
  if (!disk) return undefined;
  const expires = disk.expiresAtMs;
  return {
    names: new RegExp(disk.files),
    format: {
      user: (text) => {
        const user = extract(disk.user, text);
        return user === "" ? undefined : user;
      },
      ...(expires
        ? {
            expiresAtMs: (text: string) => {
              const value = atPointer(parsedJson(text), expires.json);
              return typeof value === "number" ? value : undefined;
            },
          }
        : {}),
    },
  };
}

/** The Redis audit of a target; undefined when its file has none. */
export function redisSessions(target: Target): StoredSessions | undefined {
  const redis = target.audit.redis;
  if (!redis) return undefined;
  return {
    keyPrefix: redis.keyPrefix,
    user: (value) => {
      const user = extract(redis.user, value);
      return user === "" ? undefined : user;
    },
  };
}
