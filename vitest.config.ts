// Test tiers: `unit` needs no processes; `integration` runs the real load engine, HAProxy, dynalite, redis-server.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Integration tests share two cores with the processes they start: one file at a time.
    fileParallelism: false,
    // The AWS SDK's documented switch for its Node-version notice (docs/install.md, "Node and the AWS SDK").
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    projects: [
      {
        test: {
          name: "unit",
          include: ["**/test/**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/*.int.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["**/test/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
