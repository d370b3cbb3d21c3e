/**
 * Worked examples in the handbook are sessions: a few calls by named principals, with what comes
 * back. They are written once as data, rendered into the page, and a test parses the page text and
 * runs every session against a fresh world, so an example that stops working fails the build.
 *
 * Notation (explained on the pages):
 *   alice> tool_name {"json": "args"}   a call made by alice
 *   ← {"part": "of the result"}         what comes back (only the keys shown are checked)
 *   ✗ ERROR_CODE                        the call fails with this code
 *   … 3600 s later / … until $t         world time passes
 * A "$name" string in a result names the value returned there; later, "$name" stands for it.
 */
export type SessionStep =
  | { as: string; tool: string; args: Record<string, unknown>; returns?: unknown; fails?: string }
  | { wait_s: number }
  | { until: string };

export const SESSION_NOTATION =
  'In the sessions below, `alice> tool {args}` is a call made by alice, `←` shows part of what comes back, `✗ CODE` means the call fails with that code, and `… N s later` is world time passing. A `"$name"` in a result names the value returned there; later, `"$name"` stands for that value.';

const FENCE = '```session';

export function renderSession(steps: readonly SessionStep[]): string {
  const lines = steps.map((s) => {
    if ('wait_s' in s) return `… ${s.wait_s} s later`;
    if ('until' in s) return `… until ${s.until}`;
    const call = `${s.as}> ${s.tool} ${JSON.stringify(s.args)}`;
    if (s.fails !== undefined) return `${call}\n✗ ${s.fails}`;
    return s.returns === undefined ? call : `${call}\n← ${JSON.stringify(s.returns)}`;
  });
  return `${FENCE}\n${lines.join('\n')}\n\`\`\``;
}

/** Every session in a page's text, parsed back into steps. Throws on a line it cannot read. */
export function parseSessions(text: string): SessionStep[][] {
  const sessions: SessionStep[][] = [];
  const blocks = text.split(FENCE).slice(1);
  for (const block of blocks) {
    const body = block.slice(0, block.indexOf('```'));
    const steps: SessionStep[] = [];
    for (const line of body.split('\n').filter((l) => l.trim() !== '')) steps.push(...parseLine(line, steps));
    sessions.push(steps);
  }
  return sessions;
}

function parseLine(line: string, steps: SessionStep[]): SessionStep[] {
  const call = /^([a-z0-9_-]+)> ([a-z_]+) (\{.*\})$/.exec(line);
  if (call) return [{ as: call[1]!, tool: call[2]!, args: JSON.parse(call[3]!) as Record<string, unknown> }];
  const wait = /^… (\d+) s later$/.exec(line);
  if (wait) return [{ wait_s: Number(wait[1]) }];
  const until = /^… until (\$[a-z_]+)$/.exec(line);
  if (until) return [{ until: until[1]! }];
  const prev = steps.at(-1);
  if (!prev || !('tool' in prev)) throw new Error(`session line without a call before it: ${line}`);
  if (line.startsWith('← ')) prev.returns = JSON.parse(line.slice(2));
  else if (line.startsWith('✗ ')) prev.fails = line.slice(2);
  else throw new Error(`unreadable session line: ${line}`);
  return [];
}
