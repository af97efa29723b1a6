// The instances' names, built in one place: a plan of N instances has app-1..app-N (fault targets,
// compose services, HAProxy servers, ec2 slots).
export const instanceId = (n: number): string => `app-${n}`;

export const instanceIds = (count: number): string[] => Array.from({ length: count }, (_, i) => instanceId(i + 1));

/** N for "app-N", else null. */
export function instanceNumber(id: string): number | null {
  return /^app-\d+$/.test(id) ? Number(id.slice("app-".length)) : null;
}
