/**
 * Messages between the host thread (which holds the database) and the sandbox worker (which runs
 * QuickJS). They travel through one SharedArrayBuffer: the two sides strictly alternate, so a single
 * data area suffices. The host blocks in Atomics.wait while the guest runs and serves its calls.
 */

/** method: call an export; contract: call check_permission with a read-only view; module: evaluate and list exports. */
export type FrameKind = 'method' | 'contract' | 'module';

/** One artifact execution: a fresh QuickJS context inside the command's runtime. */
export interface Frame {
  id: number;
  kind: FrameKind;
  /** The artifact whose code runs (`self`); calls it makes are made as this artifact. */
  artifact: string;
  /** The immediate caller, as the guest sees it. */
  caller: string;
  code: string;
  /** The export to call: a method name, or `check_permission` for contracts. */
  entry: string;
  /** JSON text of the arguments. */
  args: string;
  /** World time for `Date.now()` and `world.now()`. */
  now: number;
  /** Seeds `Math.random` for this frame. */
  seed: number;
  /** This frame's own CPU deadline (contracts get a short one); the session budget still applies. */
  cpuMs: number;
  /** Scrip attached to this call, already in the artifact's account (ctx.paid). */
  paid: number;
}

/** Limits of one session: everything a top-level run and its nested frames share. */
export interface SessionLimits {
  memoryBytes: number;
  stackBytes: number;
  /** Guest CPU budget of the session, across all frames. */
  cpuMs: number;
  maxOutputBytes: number;
  maxLogBytes: number;
}

export type ToWorker =
  | { t: 'run'; frame: Frame; session?: SessionLimits }
  | { t: 'reply'; ok: true; value: string }
  | { t: 'reply'; ok: false; error: GuestError };

export type RpcRequest =
  | { op: 'invoke'; frame: number; target: string; method: string; args: string; pay: number; maxFee: number; maxPrice?: number }
  | { op: 'view'; frame: number; fn: string; params: string }
  | { op: 'resolve'; frame: number; base: string; name: string }
  | { op: 'import'; frame: number; name: string };

export interface GuestError {
  code: string;
  message: string;
  details: Record<string, unknown>;
  retriable?: boolean;
  retry_after_ms?: number;
}

export type FrameOutcome = { ok: true; value: string } | { ok: false; error: GuestError };

export type ToHost =
  | ({ t: 'rpc' } & RpcRequest)
  | ({ t: 'done'; frame: number; logs: string[]; cpuMs: number } & FrameOutcome);

/** Control words in the shared Int32Array. */
export const CTL = {
  STATE: 0,
  TO_WORKER: 1,
  TO_HOST: 2,
  LENGTH: 3,
  SIZE: 4,
} as const;

export const WORKER_STATE = { STARTING: 0, READY: 1, POISONED: 2 } as const;
