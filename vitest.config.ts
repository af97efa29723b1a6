// Test tiers: `unit` needs no processes; `integration` runs the real load engine, HAProxy, DynamoDB Local.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Integration tests share two cores with the processes they start: one file at a time.
    fileParallelism: false,
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
