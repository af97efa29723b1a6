// When a read-only request should write its session's new expiry to the store (as connect-mongo's touchAfter).

/**
 * True when touching would move the stored expiry later by more than `fraction` of the TTL. With fraction 0,
 * every request touches, even one in the same millisecond as the last (express-session's behaviour); with 0.1 and a one-hour TTL, at most one touch per
 * session every six minutes, and a stored expiry at most six minutes earlier than the sliding one.
 * An unknown stored expiry is always touched.
 */
export function touchDue(
  storedExpiresMs: number | undefined,
  nextExpiresMs: number,
  ttlMs: number,
  fraction: number,
): boolean {
  if (fraction === 0 || storedExpiresMs === undefined || !Number.isFinite(storedExpiresMs)) return true;
  return nextExpiresMs - storedExpiresMs > fraction * ttlMs;
}
