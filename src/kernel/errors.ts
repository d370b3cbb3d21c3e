/**
 * Stable error codes. Agents branch on `code`; the message tells a reader what to do next.
 * Adding a code is an API change: keep this list closed and documented in the handbook.
 */
export const ERROR_CODES = [
  'NOT_FOUND',
  'ACCESS_DENIED',
  'INSUFFICIENT_FUNDS',
  'RATE_LIMITED',
  'INVALID_ARGS',
  'EXECUTION_ERROR',
  'TIMEOUT',
  'DELETED',
  'QUOTA_EXCEEDED',
  'IDEMPOTENCY_CONFLICT',
  'LIMIT_EXCEEDED',
  'CONFLICT',
  /** Something outside the world (an LLM endpoint, a bridged server, a registry) failed or refused. */
  'UPSTREAM_ERROR',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes where retrying the same call later can succeed without the caller changing anything. */
const RETRIABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['RATE_LIMITED', 'TIMEOUT', 'INSUFFICIENT_FUNDS', 'QUOTA_EXCEEDED', 'UPSTREAM_ERROR']);

export interface KernelErrorJSON {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
  retriable: boolean;
  retry_after_ms?: number;
}

export class KernelError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly retriable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    opts: { retriable?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'KernelError';
    this.code = code;
    this.details = details;
    this.retriable = opts.retriable ?? RETRIABLE.has(code);
    this.retryAfterMs = opts.retryAfterMs;
  }

  toJSON(): KernelErrorJSON {
    const out: KernelErrorJSON = { code: this.code, message: this.message, details: this.details, retriable: this.retriable };
    if (this.retryAfterMs !== undefined) out.retry_after_ms = this.retryAfterMs;
    return out;
  }

  static from(json: KernelErrorJSON): KernelError {
    const opts: { retriable: boolean; retryAfterMs?: number } = { retriable: json.retriable };
    if (json.retry_after_ms !== undefined) opts.retryAfterMs = json.retry_after_ms;
    return new KernelError(json.code, json.message, json.details, opts);
  }
}

/** Wraps anything thrown into a KernelError; unknown throws are internal bugs, never guest-visible detail. */
export function toKernelError(err: unknown): KernelError {
  if (err instanceof KernelError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new KernelError('INTERNAL', `Internal error: ${message}. This is a bug in the world; report it to the operator.`, {}, { retriable: false });
}

export const notFound = (what: string, id: string, hint: string, details: Record<string, unknown> = {}) =>
  new KernelError('NOT_FOUND', `${what} '${id}' does not exist. ${hint}`, { id, ...details });

export const invalidArgs = (message: string, details: Record<string, unknown> = {}) =>
  new KernelError('INVALID_ARGS', message, details);

export const accessDenied = (message: string, details: Record<string, unknown> = {}) =>
  new KernelError('ACCESS_DENIED', message, details);

export const limitExceeded = (message: string, details: Record<string, unknown> = {}) =>
  new KernelError('LIMIT_EXCEEDED', message, details);

/** Asserts an invariant of our own code (TigerStyle): a failure is a bug, not bad input. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new KernelError('INTERNAL', `Invariant violated: ${message}`, {}, { retriable: false });
}
