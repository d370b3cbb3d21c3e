import type { OutsideCall, OutsideRecord } from './outside.ts';
import { randomUUID } from 'node:crypto';

/** The state of one top-level command: who, when, and what it has used so far. */
export class Command {
  /** The resolved top-level target (after forwarding), for failure records. */
  target: string | null = null;
  method: string | null = null;
  /** Whether the top-level call belongs in the invocation registry and event log (see Door). */
  recordInvocation = false;
  /** Nested invokes made so far (limited per command). */
  nested = 0;
  /** Ids made by genesis handlers in this command (see HandlerContext.newId). */
  idsMade = 0;
  /** Guest CPU used by the command, in milliseconds (fractional). */
  cpuUsedMs = 0;
  /** Host time spent serving its guests' calls, in milliseconds: billed with its CPU, never a reason to kill it. */
  hostMs = 0;
  /** The caller's cpu_ms window remaining when the command first needed it. */
  cpuWindowLeft: number | null = null;
  /**
   * What the command draws from the caller's `calls` window: one, and one more for each further started
   * `limits.call_bytes` of its arguments, so big requests (which the command log keeps) cost in proportion.
   * Charged whether the command succeeds or not.
   */
  callWeight = 1;
  /** Calls the command may draw from the caller's window, itself and nested ones (see Door). */
  maxCalls = Number.MAX_SAFE_INTEGER;
  /** Whether the top-level call got as far as running. */
  readonly top = { executed: false };
  /** The caller's calls window remaining (after the top-level call) when the first nested invoke needed it. */
  callsWindowLeft: number | null = null;
  /** Outcomes of the bridge calls made by earlier attempts of this command, in order (see outside.ts). */
  outsideRecord: OutsideRecord[] = [];
  /** Bridge calls reached in this attempt. */
  outsideCalls = 0;
  /** The call this attempt reached without a record: the attempt must stop, whatever the guest did about it. */
  pendingOutside: OutsideCall | null = null;
  /** What the top-level method's prepare learnt outside the world (recorded with the command for replays). */
  prepared: unknown = undefined;
  /** Whether a sandbox session may wait for a worker to boot; if not, SandboxUnavailable ends the command unrecorded. */
  waitForWorker = true;
  readonly logs: string[] = [];
  /** Host time the command started, for durations in events (informational, not world time). */
  readonly startedAt = performance.now();
  private logBytes = 0;
  private logsTruncated = false;

  constructor(
    readonly id: string,
    /** The authenticated principal: pays CPU, owns the rate buckets. */
    readonly principal: string,
    /** World time for the whole command. */
    readonly now: number,
    private readonly maxLogBytes: number,
  ) {}

  /**
   * Time-ordered and unique across processes: world time, a per-process counter, and 48 random bits.
   * Ordered ids append to the command log's primary key rather than landing on random pages.
   */
  static newId(now: number): string {
    Command.counter = (Command.counter + 1) % 0x10000;
    return `cmd_${now.toString(36).padStart(9, '0')}${Command.counter.toString(36).padStart(4, '0')}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  }
  private static counter = 0;

  /** A 32-bit seed for a frame's Math.random, derived from the command id (FNV-1a). */
  seed(frame: number): number {
    let h = 0x811c9dc5;
    const s = `${this.id}:${frame}`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
  }

  addLogs(lines: readonly string[], prefix: string): void {
    for (const line of lines) {
      if (this.logsTruncated) return;
      const text = prefix ? `${prefix}: ${line}` : line;
      if (this.logBytes + text.length > this.maxLogBytes) {
        this.logs.push(`[logs truncated at ${this.maxLogBytes} bytes]`);
        this.logsTruncated = true;
        return;
      }
      this.logs.push(text);
      this.logBytes += text.length;
    }
  }
}
