// Where the compose platform's images come from: official, images.json of the docker set-up, $FH_IMAGE_*.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  DYNAMODB_LOCAL_RELEASE,
  dynamoDbLocalJar,
  localImages,
  officialImages,
} from "../../../../tools/tool-paths.mjs";
import { resolveImages } from "../../../src/platforms/compose/images.ts";

const dir = mkdtempSync(join(tmpdir(), "fh-images-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const marker = (content: string) => {
  const path = join(dir, `images-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, content);
  return path;
};
const none = join(dir, "absent.json");

describe("the compose platform's images", () => {
  it("are the official ones when the set-up built none and the user names none", () => {
    const { images, sources } = resolveImages({}, none);
    expect(images).toEqual({
      node: "node:22-slim",
      lb: "haproxy:2.6",
      dynamodb: `amazon/dynamodb-local:${DYNAMODB_LOCAL_RELEASE}`,
      redis: "redis:7.0",
    });
    expect(sources).toEqual({ node: "official", lb: "official", dynamodb: "official", redis: "official" });
  });

  it("DynamoDB Local is the release the local platform runs (the npm package's release notes name it)", () => {
    expect(officialImages().dynamodb).toBe(`amazon/dynamodb-local:${DYNAMODB_LOCAL_RELEASE}`);
    expect(localImages().dynamodb).toBe(`failover-harness/dynamodb-local:${DYNAMODB_LOCAL_RELEASE}`);
    const found = dynamoDbLocalJar();
    if (!found) return console.warn("[skip] release check: DynamoDB Local is not installed (npm run setup)");
    const notes = join(dirname(found.jar), "README.txt");
    expect(existsSync(notes)).toBe(true);
    expect(readFileSync(notes, "utf8")).toContain(`${found.release} (${DYNAMODB_LOCAL_RELEASE})`);
  });

  it("are the local equivalents the set-up recorded, each role on its own", () => {
    const local = localImages();
    const path = marker(
      JSON.stringify({ revision: 1, images: { ...officialImages(), lb: local.lb, dynamodb: local.dynamodb } }),
    );
    const { images, sources } = resolveImages({}, path);
    expect(images).toEqual({ node: "node:22-slim", lb: local.lb, dynamodb: local.dynamodb, redis: "redis:7.0" });
    expect(sources).toEqual({
      node: "official",
      lb: "npm run setup -- docker",
      dynamodb: "npm run setup -- docker",
      redis: "official",
    });
  });

  it("a name the user gives in $FH_IMAGE_* wins over both", () => {
    const path = marker(JSON.stringify({ images: localImages() }));
    const { images, sources } = resolveImages({ FH_IMAGE_LB: "registry.example:5000/ops/haproxy:2.6.22" }, path);
    expect(images.lb).toBe("registry.example:5000/ops/haproxy:2.6.22");
    expect(sources.lb).toBe("$FH_IMAGE_LB");
    expect(images.node).toBe(localImages().node);
  });

  it("refuses a bad name, naming the variable or the file's field, the value and what was expected", () => {
    expect(() => resolveImages({ FH_IMAGE_DYNAMODB: "Not An Image" }, none)).toThrow(
      /\$FH_IMAGE_DYNAMODB "Not An Image": expected an image reference such as amazon\/dynamodb-local:/,
    );
    const bad = marker(JSON.stringify({ images: { node: 42 } }));
    expect(() => resolveImages({}, bad)).toThrow(/images\.node 42: expected an image reference/);
    expect(() => resolveImages({}, marker("{"))).toThrow(/not JSON .*run npm run setup -- docker again/);
  });
});
