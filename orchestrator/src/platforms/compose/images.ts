// The images the compose platform runs, from one place: the official images by default; the local
// equivalents when `npm run setup -- docker` built them (it records which in images.json in the
// cache); and for each role the name the user gives in $FH_IMAGE_NODE, $FH_IMAGE_LB, $FH_IMAGE_DYNAMODB.
import { existsSync, readFileSync } from "node:fs";
import { imageMarkerPath, officialImages } from "../../../../tools/tool-paths.mjs";
import { HarnessError } from "../../errors.ts";

/** node: the target app's base image (its Dockerfile's NODE_IMAGE); lb: HAProxy 2.6; dynamodb: DynamoDB Local (a store's imageRole). */
export interface ComposeImages {
  node: string;
  lb: string;
  dynamodb: string;
  redis: string;
}
export type ImageRole = keyof ComposeImages;
export const imageRoles: readonly ImageRole[] = ["node", "lb", "dynamodb", "redis"];
export const imageEnv: Record<ImageRole, string> = {
  node: "FH_IMAGE_NODE",
  lb: "FH_IMAGE_LB",
  dynamodb: "FH_IMAGE_DYNAMODB",
  redis: "FH_IMAGE_REDIS",
};

/** Where each image's name came from, for the run record and the log. */
export type ImageSource = "official" | "npm run setup -- docker" | `$${string}`;

// A reference as Docker takes it: [registry/]name[:tag][@digest], lower-case name components.
const imageRef =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

export function resolveImages(
  env: NodeJS.ProcessEnv = process.env,
  markerPath: string = imageMarkerPath(),
): { images: ComposeImages; sources: Record<ImageRole, ImageSource> } {
  const images = { ...(officialImages() as ComposeImages) };
  const sources: Record<ImageRole, ImageSource> = {
    node: "official",
    lb: "official",
    dynamodb: "official",
    redis: "official",
  };
  const marker = readMarker(markerPath);
  for (const role of imageRoles) {
    const built = marker?.[role];
    if (built && built !== images[role]) {
      images[role] = built;
      sources[role] = "npm run setup -- docker";
    }
    const given = env[imageEnv[role]];
    if (given !== undefined && given !== "") {
      if (!imageRef.test(given))
        throw new HarnessError(
          `$${imageEnv[role]} ${JSON.stringify(given)}: expected an image reference such as ${officialImages()[role]}`,
        );
      images[role] = given;
      sources[role] = `$${imageEnv[role]}`;
    }
  }
  return { images, sources };
}

function readMarker(path: string): Partial<ComposeImages> | null {
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
      `${path}: expected {"images": {"node", "lb", "dynamodb", "redis"}}; run npm run setup -- docker again`,
    );
  const out: Partial<ComposeImages> = {};
  for (const role of imageRoles) {
    const name = (found as Record<string, unknown>)[role];
    if (name === undefined) continue;
    if (typeof name !== "string" || !imageRef.test(name))
      throw new HarnessError(`${path}: images.${role} ${JSON.stringify(name)}: expected an image reference`);
    out[role] = name;
  }
  return out;
}
