// A target whose instances never answer its health path fails the bring-up with the instance's command and the last
// lines of its log, and leaves nothing running (the local platform, real processes, no load).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createPlatform } from "../../src/platforms/index.ts";
import { startedChildren } from "../../src/process/child.ts";
import { planFromOptions } from "../../src/run/plan-from-options.ts";
import { alive } from "../helpers/run-cli.ts";

describe("a target that never becomes healthy", () => {
  it("fails the bring-up naming its command and its log's last lines; down() leaves nothing running", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fh-unhealthy-"));
    const file = join(dir, "target.yaml");
    writeFileSync(
      file,
      stringify({
        name: "broken-app",
        summary: "exits at once",
        health: "/up",
        local: { command: ["{node}", "-e", "console.log('cannot open the database'); process.exit(3)"] },
        strategies: { sticky: { env: {} } },
        protocol: {
          login: { path: "/login", fields: { u: "{username}" } },
          read: { path: "/", user: { json: "/u" }, value: { json: "/p/{key}" } },
          loggedOut: { status: [401] },
        },
        audit: { disk: { files: "^s_", user: { json: "/u" } } },
      }),
    );
    const out = join(dir, "run");
    const plan = planFromOptions({ strategy: "sticky", target: file, instances: "1", seed: "1", out });
    const platform = createPlatform(plan, out);
    const before = startedChildren().length;
    try {
      await expect(platform.up()).rejects.toThrow(
        /app-1 exited \(code 3, signal null\): app-1 of target broken-app was started as .*node -e .*process\.exit\(3\).*\n.*cannot open the database/s,
      );
    } finally {
      await platform.down();
    }
    const ours = startedChildren().slice(before);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((c) => alive(c.pid))).toEqual([]);
  });
});
