import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (CLK_TCK: 100 on Linux everywhere we run). */
const TICK_MS = 10;

/** CPU milliseconds (user + system) a process has used, children it reaped included; null where /proc is not. */
function ownCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after its closing parenthesis.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14-17 (1-based), so 11-14 after the name.
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** A process and everything it started (an `npx` launcher's server too), four generations deep. */
function processTree(pid: number, depth = 0): number[] {
  if (depth >= 4) return [pid];
  return [pid, ...childrenOf(pid).flatMap((c) => processTree(c, depth + 1))];
}

/** CPU milliseconds a process and everything it started have used so far; null when it cannot be read. */
export function processTreeCpuMs(pid: number): number | null {
  return new CpuMeter(pid).read()?.ms ?? null;
}

/** How long a process tree found is trusted: finding it reads a file per thread (a tenth of a bridge call). */
const TREE_TTL_MS = 1_000;

/**
 * Measures one upstream's CPU around calls (user + system, children reaped included, at the OS's 10 ms
 * resolution; null where /proc cannot be read). Reading a tree's CPU is one file per process, but finding the
 * tree is a file per thread, so the tree is found again only once a second; a call's before and after are
 * summed over the same processes, so one that starts mid-call is counted from the next call on.
 */
export class CpuMeter {
  private tree: number[] = [];
  private foundAt = -Infinity;

  constructor(private readonly pid: number) {}

  /** CPU so far over the (fresh enough) tree, and the processes summed; null when the root cannot be read. */
  read(now = performance.now()): { ms: number; pids: number[] } | null {
    if (now - this.foundAt > TREE_TTL_MS) {
      this.tree = processTree(this.pid);
      this.foundAt = now;
    }
    const ms = this.sum(this.tree);
    return ms === null ? null : { ms, pids: this.tree };
  }

  /** CPU so far over exactly `pids` (a process gone since counts nothing; its CPU moved to its parent). */
  sum(pids: number[]): number | null {
    const root = ownCpuMs(pids[0] ?? this.pid);
    if (root === null) return null;
    return pids.slice(1).reduce((total, p) => total + (ownCpuMs(p) ?? 0), root);
  }
}
