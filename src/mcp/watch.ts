import type { World } from '../world.ts';

const TYPES = ['artifact_written', 'artifact_deleted', 'artifact_transferred'] as const;
const BATCH = 500;

/**
 * Follows the event log for artifact changes made by any process sharing the world file, and reports
 * the ids that changed. Polling the log (not hooking this process's commands) is what makes a change
 * written by a stdio process reach a client of the HTTP host.
 */
export class ArtifactWatcher {
  private cursor: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly world: World,
    private readonly onChange: (ids: string[]) => void,
  ) {
    this.cursor = world.kernel.services.events.latestSeq();
  }

  start(intervalMs: number): this {
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
    return this;
  }

  /** Reads what changed since the last poll and reports it; returns the ids. */
  poll(): string[] {
    const changed = new Set<string>();
    for (;;) {
      const page = this.world.kernel.services.events.read({ types: TYPES, after: this.cursor, limit: BATCH, scan: this.world.config.limits.max_event_scan });
      for (const e of page.events) if (e.artifact) changed.add(e.artifact);
      this.cursor = page.next_cursor;
      if (!page.has_more) break;
    }
    const ids = [...changed];
    if (ids.length > 0) this.onChange(ids);
    return ids;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
