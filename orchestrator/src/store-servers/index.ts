// The store servers, listed once: a new one is a folder store-servers/<name>/ (its StoreServer) and one line here.
// The compose platform's image roles come from this list; session store kinds (strategies/) name their server.
import { dynaliteServer } from "./dynalite/index.ts";
import { redisServer } from "./redis-server/index.ts";
import type { StoreServer } from "./types.ts";

export const storeServers: readonly StoreServer[] = [dynaliteServer, redisServer];

/** The image roles the servers run on that the compose platform resolves (official, local, or $FH_IMAGE_<ROLE>). */
export const storeImageRoles: readonly string[] = storeServers.flatMap((s) =>
  "role" in s.container.image ? [s.container.image.role] : [],
);
