// redis-server's options: loopback only, never an RDB snapshot, an append-only file only when the plan asks for one.
import { describe, expect, it } from "vitest";
import { redisServerArgs } from "../../src/store-servers/redis-server/index.ts";

const option = (args: string[], name: string) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};

describe("redisServerArgs", () => {
  it("keeps everything in memory by default: no snapshot, no append-only file, loopback only", () => {
    const args = redisServerArgs(6390, "/tmp/run/redis", "none");
    expect(option(args, "--port")).toBe("6390");
    expect(option(args, "--bind")).toBe("127.0.0.1");
    expect(option(args, "--protected-mode")).toBe("yes");
    expect(option(args, "--save")).toBe("");
    expect(option(args, "--appendonly")).toBe("no");
    expect(option(args, "--dir")).toBe("/tmp/run/redis");
    expect(args).not.toContain("--appendfsync");
  });

  it("writes an append-only file flushed every second for aof-everysec", () => {
    const args = redisServerArgs(6390, "/tmp/run/redis", "aof-everysec");
    expect(option(args, "--appendonly")).toBe("yes");
    expect(option(args, "--appendfsync")).toBe("everysec");
    expect(option(args, "--save")).toBe("");
  });
});
