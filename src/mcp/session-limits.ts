/** Limits on connection state an HTTP host keeps (its own module so the CLI can show defaults without loading the SDK). */
export interface SessionLimits {
  /**
   * Most concurrent 2025-era sessions, everyone's together. When full, a new session closes the least
   * recently used session of whoever holds the most, never anyone's last; with nobody holding more than
   * one, it is refused (503 with Retry-After).
   */
  maxSessions: number;
  /** Most concurrent sessions of one principal. Its next one closes its own least recently used session. */
  maxSessionsPerPrincipal: number;
  /** A session idle this long is closed. */
  idleMs: number;
  /** Most 2026-era notification streams (subscriptions/listen) one principal holds open; beyond it, 429. */
  maxListensPerPrincipal: number;
  /** Most notification streams in all; when full, the oldest stream of whoever holds the most is closed. */
  maxListens: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxSessions: 1_000, maxSessionsPerPrincipal: 8, idleMs: 30 * 60_000, maxListensPerPrincipal: 8, maxListens: 1_000 };
