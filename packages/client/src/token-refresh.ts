/** Default and cap of the refresh margin: 30 s, or 10% of the token's lifetime if smaller. */
export const DEFAULT_REFRESH_MARGIN_SECONDS = 30;
export const DEFAULT_REFRESH_MARGIN_FRACTION = 0.1;

export interface RefreshTiming {
  /** `expires_at` from `connected` or `refreshed` (Unix seconds). */
  expiresAtSeconds: number;
  nowMs: number;
  /** Refresh this long before expiry; default min(30 s, 10% of the remaining lifetime). */
  marginSeconds?: number;
}

/** How long to wait before sending `refresh` so it lands before the server's 4501. */
export function refreshDelayMs({ expiresAtSeconds, nowMs, marginSeconds }: RefreshTiming): number {
  const lifetimeMs = expiresAtSeconds * 1000 - nowMs;
  if (lifetimeMs <= 0) return 0;
  const marginMs =
    marginSeconds !== undefined
      ? marginSeconds * 1000
      : Math.min(
          DEFAULT_REFRESH_MARGIN_SECONDS * 1000,
          lifetimeMs * DEFAULT_REFRESH_MARGIN_FRACTION,
        );
  return Math.max(0, lifetimeMs - marginMs);
}
