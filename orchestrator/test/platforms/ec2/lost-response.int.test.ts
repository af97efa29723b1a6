// A StopInstances whose answer is lost (it reached EC2, the reply did not reach us) still gets the instance restored.
import { describe, expect, it } from "vitest";
import type { AwsClients } from "../../../src/platforms/ec2/aws-clients.ts";
import type { Ec2Platform } from "../../../src/platforms/ec2/ec2-platform.ts";
import { createPlatform } from "../../../src/platforms/index.ts";
import { motoMissing } from "../../helpers/moto-server.ts";
import { fleetPlan, makeFleet, motoForSuite, states } from "./moto-fleet.ts";

const missing = motoMissing();
if (missing) console.warn(`SKIPPED ec2 lost-response test against moto: ${missing}`);

/** Lets StopInstances reach moto, then throws as if the connection dropped before the answer. */
function loseStopAnswers(platform: Ec2Platform): void {
  const { ec2 } = (platform as unknown as { aws: AwsClients }).aws;
  ec2.middlewareStack.add(
    (next, context) => async (args) => {
      const output = await next(args);
      if ((context as { commandName?: string }).commandName === "StopInstancesCommand") {
        throw Object.assign(new Error("socket hang up"), { name: "TimeoutError", $metadata: {} });
      }
      return output;
    },
    { step: "finalizeRequest", name: "loseStopAnswer" },
  );
}

describe.skipIf(missing !== null)("ec2: a lost StopInstances answer", () => {
  const moto = motoForSuite();

  it.each(["kill", "stop"] as const)("%s: the call fails here, yet down() starts the instance again", async (op) => {
    const fleet = await makeFleet(moto.endpoint(), `lost-${op}`, 2);
    const [first] = fleet.instanceIds as [string, string];
    const platform = createPlatform(fleetPlan(moto.endpoint(), fleet, []), "/nonexistent") as Ec2Platform;
    await platform.up();
    loseStopAnswers(platform);
    await expect(platform.instanceOp("app-1", op)).rejects.toThrow(/socket hang up/);
    expect((await states(moto.endpoint(), [first]))[first]).toMatch(/^stopp(ing|ed)$/);
    await platform.down();
    expect((await states(moto.endpoint(), [first]))[first]).toBe("running");
    expect(platform.calls.filter((c) => c.command === "StartInstances").at(-1)?.input).toEqual({
      InstanceIds: [first],
    });
  });
});
