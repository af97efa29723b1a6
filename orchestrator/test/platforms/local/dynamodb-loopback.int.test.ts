// DynamoDB Local (no bind option of its own) answers on loopback only: refused on this machine's other addresses.
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import { dynamoDbLocalJar } from "../../../../tools/tool-paths.mjs";
import { startDynamoDbLocal } from "../../../src/platforms/local/dynamodb-local.ts";
import { loopbackBind } from "../../../src/platforms/local/loopback-bind.ts";
import { freePort } from "../../../src/process/ports.ts";

const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
const bind = loopbackBind();
const missing = !dynamoDbLocalJar()
  ? "DynamoDB Local is not installed (npm run setup)"
  : !external
    ? "this machine has no non-loopback IPv4 address to try"
    : !bind.loopbackOnly
      ? bind.reason
      : null;
if (missing) console.warn(`SKIPPED DynamoDB Local loopback test: ${missing}`);

/** "open" when a TCP connection to host:port succeeds, else the error code. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve("timeout");
    });
    socket.once("connect", () => {
      socket.destroy();
      resolve("open");
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
  });
}

describe.skipIf(missing !== null)("DynamoDB Local on loopback only", () => {
  it(`answers on 127.0.0.1 and refuses connections on ${external}`, async () => {
    const port = await freePort();
    const store = await startDynamoDbLocal({ port, name: "loopback-test" });
    try {
      expect(store.loopbackOnly).toBe(true);
      expect(await tryConnect("127.0.0.1", port)).toBe("open");
      expect(await tryConnect(external as string, port)).toBe("ECONNREFUSED");
    } finally {
      await store.child.stop(5000);
    }
  });
});
