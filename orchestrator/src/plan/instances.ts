// The instances' names, built in one place: a plan of N instances has app-1..app-N (fault targets,
// compose services, HAProxy servers, ec2 slots).
export const instanceId = (n: number): string => `app-${n}`;

export const instanceIds = (count: number): string[] => Array.from({ length: count }, (_, i) => instanceId(i + 1));

/** N for "app-N" (N without leading zeros), else null. */
export function instanceNumber(id: string): number | null {
  // Exactly as instanceId writes it: "app-01" or "app-007" names no instance.
  return /^app-[1-9]\d{0,2}$/.test(id) ? Number(id.slice("app-".length)) : null;
}
