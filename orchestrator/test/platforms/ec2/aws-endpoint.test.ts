// --aws-endpoint: https anywhere, plain http only to loopback (signed requests never cross the network unencrypted).
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.ts";
import { ec2SectionFromOptions, ec2SectionSchema, isSafeAwsEndpoint } from "../../../src/platforms/ec2/ec2-plan.ts";

const flags = {
  region: "eu-west-1",
  filters: ["tag:aws:cloudformation:stack-name=failover-fleet"],
  targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/fleet/0123456789abcdef",
};
const section = (awsEndpoint: string) => ec2SectionFromOptions({ ...flags, awsEndpoint }, {});

describe("--aws-endpoint", () => {
  it.each(["http://127.0.0.1:5000", "http://127.8.9.10:4566/", "http://localhost:5000", "http://[::1]:5000"])(
    "accepts plain http to loopback: %s",
    (url) => {
      expect(section(url)?.awsEndpoint).toBe(url);
    },
  );

  it("accepts https anywhere", () => {
    expect(section("https://ec2.eu-west-1.amazonaws.com")?.awsEndpoint).toBe("https://ec2.eu-west-1.amazonaws.com");
  });

  it.each(["http://10.0.0.5:5000", "http://moto.internal:5000", "http://127.0.0.1.nip.io:5000", "http://0.0.0.0:5000"])(
    "refuses plain http to anything else, naming the option and value: %s",
    (url) => {
      let error: unknown;
      try {
        section(url);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(
        new RegExp(`^--aws-endpoint "${url.replace(/[.[\]]/g, "\\$&")}": plain http is refused except to a loopback`),
      );
    },
  );

  it("the plan's schema refuses it too (a plan file cannot bypass the flag's check)", () => {
    const valid = section("http://127.0.0.1:5000");
    expect(ec2SectionSchema.safeParse({ ...valid, awsEndpoint: "http://10.0.0.5:5000" }).success).toBe(false);
    expect(ec2SectionSchema.safeParse(valid).success).toBe(true);
    expect(isSafeAwsEndpoint("http://192.168.1.2")).toBe(false);
  });
});
