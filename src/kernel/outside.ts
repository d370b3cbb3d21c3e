import type { KernelErrorJSON } from './errors.ts';

/**
 * Calls a command makes to the world outside (bridged upstream MCP servers). No rollback can undo one and
 * it may take seconds, so none is made inside the write transaction: when a command reaches a call it has no
 * record of, the attempt stops (BridgeCallNeeded), is rolled back, the call is made outside it (World.submit),
 * its outcome is recorded, and the command runs again from the start, deterministically, getting recorded
 * outcomes in order. The record is kept with the command, so a replay never calls upstream.
 */
export interface OutsideCall {
  /** The bridge artifact and its tool. */
  artifact: string;
  tool: string;
  /** Who made the call (the immediate caller: a principal, or a code artifact acting for itself). */
  caller: string;
  args: Record<string, unknown>;
  /** Scrip the caller pays for the call: burned when it is made, before its result is released. */
  fee: number;
}

export interface OutsideRecord {
  artifact: string;
  tool: string;
  caller: string;
  /** sha256 of the canonical arguments: a re-run asking for something else is refused, not answered. */
  args_hash: string;
  /** The fee burned for it (0 for a call that failed: only answered calls are paid). */
  fee: number;
  /** What the upstream returned (its content blocks, and structured content if any). */
  content?: unknown;
  structured?: unknown;
  /** Why it failed, if it did (then the call throws this in every run). */
  error?: KernelErrorJSON;
  /** Host CPU the call cost (the upstream process's, measured by the OS): charged to the command's principal, whatever its runs do with the call. */
  cpu_ms: number;
  ms: number;
}

/** Stops an attempt that reached an outside call it has no record of. Never a KernelError: nothing may catch it as one. */
export class BridgeCallNeeded extends Error {
  constructor(
    readonly call: OutsideCall,
    /** CPU the stopped attempt burned (carried into the next, so re-running is never free). */
    readonly burnedMs: number,
  ) {
    super(`the command needs ${call.artifact}.${call.tool} called outside the world first`);
  }
}
