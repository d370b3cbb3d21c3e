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

/**
 * CPU milliseconds used so far by a process and everything it started (an `npx` launcher's server too),
 * measured by the OS at its 10 ms resolution; null when it cannot be read (not Linux, or gone).
 */
export function processTreeCpuMs(pid: number, depth = 0): number | null {
  const own = ownCpuMs(pid);
  if (own === null) return null;
  if (depth >= 4) return own;
  return childrenOf(pid).reduce((sum, c) => sum + (processTreeCpuMs(c, depth + 1) ?? 0), own);
}
