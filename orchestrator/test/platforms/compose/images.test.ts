// Where the compose platform's images come from: official, images.json of the docker set-up, $FH_IMAGE_*.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localImages, officialImages } from "../../../../tools/tool-paths.mjs";
import { imageRoles, resolveBaseImage, resolveImages } from "../../../src/platforms/compose/images.ts";

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
    expect(images).toEqual({ node: "node:22-slim", lb: "haproxy:2.6", redis: "redis:7.0" });
    expect(sources).toEqual({ node: "official", lb: "official", redis: "official" });
  });

  it("has a role for each store server on a registry image (store-servers/), none for dynalite (built on node)", () => {
    expect(imageRoles).toEqual(["node", "lb", "redis"]);
    for (const role of imageRoles) {
      expect(officialImages()).toHaveProperty(role);
      expect(localImages()).toHaveProperty(role);
    }
  });

  it("are the local equivalents the set-up recorded, each role on its own", () => {
    const local = localImages();
    const path = marker(
      JSON.stringify({ revision: 1, images: { ...officialImages(), lb: local.lb, redis: local.redis } }),
    );
    const { images, sources } = resolveImages({}, path);
    expect(images).toEqual({ node: "node:22-slim", lb: local.lb, redis: local.redis });
    expect(sources).toEqual({
      node: "official",
      lb: "npm run setup -- docker",
      redis: "npm run setup -- docker",
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
    expect(() => resolveImages({ FH_IMAGE_REDIS: "Not An Image" }, none)).toThrow(
      /\$FH_IMAGE_REDIS "Not An Image": expected an image reference such as redis:7\.0/,
    );
    const bad = marker(JSON.stringify({ images: { node: 42 } }));
    expect(() => resolveImages({}, bad)).toThrow(/images\.node 42: expected an image reference/);
    expect(() => resolveImages({}, marker("{"))).toThrow(/not JSON .*run npm run setup -- docker again/);
  });

  it("a target's Debian base: $FH_IMAGE_BASE, else the set-up's when it built any image, else Debian's slim one", () => {
    const local = localImages();
    expect(resolveBaseImage({}, none)).toEqual({ image: "debian:bookworm-slim", source: "official" });
    expect(resolveBaseImage({}, marker(JSON.stringify({ revision: 2, images: officialImages() })))).toEqual({
      image: "debian:bookworm-slim",
      source: "official",
    });
    const built = marker(JSON.stringify({ revision: 2, images: { ...officialImages(), lb: local.lb } }));
    expect(resolveBaseImage({}, built)).toEqual({ image: local.base, source: "npm run setup -- docker" });
    expect(resolveBaseImage({ FH_IMAGE_BASE: "my/debian:12" }, built)).toEqual({
      image: "my/debian:12",
      source: "$FH_IMAGE_BASE",
    });
    expect(() => resolveBaseImage({ FH_IMAGE_BASE: "Not An Image" }, none)).toThrow(
      /\$FH_IMAGE_BASE "Not An Image": expected an image reference such as debian:bookworm-slim/,
    );
  });
});
