// Sessions on each instance's own disk (a folder locally, a named volume in compose, the
// instance's disk on ec2): no server to start; an instance's loss loses the sessions it holds.
import type { SessionStoreKind } from "./types.ts";

export const diskStore: SessionStoreKind = {
  name: "disk",
  shared: false,
  managed: { version: "disk on each instance" },
};
