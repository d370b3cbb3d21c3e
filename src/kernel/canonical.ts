import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal values have equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    // No prototype: on a plain object, assigning an own `__proto__` key (JSON.parse makes them) would set
    // the prototype instead, and the key and its value would vanish from the text and its hash.
    const out: Record<string, unknown> = Object.create(null);
    for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
    return out;
  });
}

/**
 * Whether `value` nests objects or arrays more than `max` levels deep. Iterative, because JSON.stringify
 * and schema validators recurse and would overflow the stack on input nested thousands deep.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
