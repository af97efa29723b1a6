// The images the compose platform runs, from one place: the official images by default; the local
// equivalents when `npm run setup -- docker` built them (it records which in images.json in the
// cache); and for each role the name the user gives in $FH_IMAGE_<ROLE> ($FH_IMAGE_NODE, $FH_IMAGE_LB, ...).
// The roles: node (the app's base, and dynalite's), lb, and those the store servers name (store-servers/).
import { existsSync, readFileSync } from "node:fs";
import { imageMarkerPath, localImages, officialImages } from "../../../../tools/tool-paths.mjs";
import { HarnessError } from "../../errors.ts";
import { storeImageRoles } from "../../store-servers/index.ts";

/** node: the target app's base image (its Dockerfile's NODE_IMAGE); lb: HAProxy 2.6; then each store server's role. */
export type ComposeImages = { node: string; lb: string } & Record<string, string>;
export type ImageRole = string;
export const imageRoles: readonly ImageRole[] = ["node", "lb", ...storeImageRoles];
/** $FH_IMAGE_<ROLE>: the variable naming the user's own image for a role. */
export const imageEnvOf = (role: ImageRole): string => `FH_IMAGE_${role.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
export const imageEnv = { node: imageEnvOf("node"), lb: imageEnvOf("lb") } as const;

/** Where each image's name came from, for the run record and the log. */
export type ImageSource = "official" | "npm run setup -- docker" | `$${string}`;

// A reference as Docker takes it: [registry/]name[:tag][@digest], lower-case name components.
const imageRef =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

export function resolveImages(
  env: NodeJS.ProcessEnv = process.env,
  markerPath: string = imageMarkerPath(),
): { images: ComposeImages; sources: Record<ImageRole, ImageSource> } {
  const official = officialImages() as Record<string, string | undefined>;
  const images = { node: "", lb: "" } as ComposeImages;
  const sources: Record<ImageRole, ImageSource> = {};
  for (const role of imageRoles) {
    const name = official[role];
    if (!name)
      throw new HarnessError(
        `no official image for the role ${role}: add it to officialImages() in tools/tool-paths.mjs`,
      );
    images[role] = name;
    sources[role] = "official";
  }
  const marker = readMarker(markerPath);
  for (const role of imageRoles) {
    const built = marker?.[role];
    if (built && built !== images[role]) {
      images[role] = built;
      sources[role] = "npm run setup -- docker";
    }
    const variable = imageEnvOf(role);
    const given = env[variable];
    if (given !== undefined && given !== "") {
      if (!imageRef.test(given))
        throw new HarnessError(
          `$${variable} ${JSON.stringify(given)}: expected an image reference such as ${official[role]}`,
        );
      images[role] = given;
      sources[role] = `$${variable}`;
    }
  }
  return { images, sources };
}

function readMarker(path: string): Record<string, string> | null {
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new HarnessError(`${path}: not JSON (${(err as Error).message}); run npm run setup -- docker again`);
  }
  const found = (parsed as { images?: unknown })?.images;
  if (!found || typeof found !== "object")
    throw new HarnessError(
      `${path}: expected {"images": {${imageRoles.map((r) => JSON.stringify(r)).join(", ")}}}; run npm run setup -- docker again`,
    );
  const out: Record<string, string> = {};
  for (const role of imageRoles) {
    const name = (found as Record<string, unknown>)[role];
    if (name === undefined) continue;
    if (typeof name !== "string" || !imageRef.test(name))
      throw new HarnessError(`${path}: images.${role} ${JSON.stringify(name)}: expected an image reference`);
    out[role] = name;
  }
  return out;
}

/** The Debian image a target's own Dockerfile builds on ({baseImage}) where a registry answers. */
export const officialBaseImage = "debian:bookworm-slim";

/**
 * The Debian base for a target's image: $FH_IMAGE_BASE; else the set-up's debootstrap image when it built any local
 * image (it made the base first); else Debian's official slim image.
 */
export function resolveBaseImage(
  env: NodeJS.ProcessEnv = process.env,
  markerPath: string = imageMarkerPath(),
): { image: string; source: ImageSource } {
  const variable = imageEnvOf("base");
  const given = env[variable];
  if (given !== undefined && given !== "") {
    if (!imageRef.test(given))
      throw new HarnessError(
        `$${variable} ${JSON.stringify(given)}: expected an image reference such as ${officialBaseImage}`,
      );
    return { image: given, source: `$${variable}` };
  }
  const local = localImages() as Record<string, string>;
  const built = Object.entries(readMarker(markerPath) ?? {}).some(([role, name]) => local[role] === name);
  return built
    ? { image: local.base as string, source: "npm run setup -- docker" }
    : { image: officialBaseImage, source: "official" };
}
