import type { NextFunction, Request, Response } from 'express';
import { principalOfAuth } from './principal.ts';

export interface AdmissionLimits {
  /** Requests one principal may have being read or answered at once; more wait their turn. */
  perPrincipal: number;
  /** Requests everyone together may have being read or answered at once; more wait their turn. */
  total: number;
  /** Requests one principal may have waiting; beyond it, 429. */
  queuePerPrincipal: number;
}

export const DEFAULT_ADMISSION: AdmissionLimits = { perPrincipal: 8, total: 128, queuePerPrincipal: 256 };

interface Waiting {
  admit: () => void;
  gone: boolean;
}

/**
 * Admits requests before their bodies are read. Reading and parsing a body costs the host memory and
 * time in proportion to what a client sends, so only so many requests per principal, and in all, are
 * read at once; the rest wait, unread (a waiting request holds only its connection), and are admitted
 * round-robin across principals as slots free, so one principal's burst never stands before another's
 * request. A principal with too many waiting is refused (429). Notification streams (a GET, or
 * `subscriptions/listen`) are admitted like any request while their bodies are read, then let go by
 * `streamsLeave` once the body is parsed: they live long, and are limited elsewhere (sessions, listen
 * streams).
 */
export function admission(limits: AdmissionLimits): {
  admit: (req: Request, res: Response, next: NextFunction) => void;
  streamsLeave: (req: Request, res: Response, next: NextFunction) => void;
} {
  const running = new Map<string, number>();
  const waiting = new Map<string, Waiting[]>();
  let total = 0;

  const start = (who: string, res: Response, next: NextFunction) => {
    running.set(who, (running.get(who) ?? 0) + 1);
    total++;
    let held = true;
    const leave = () => {
      if (!held) return;
      held = false;
      total--;
      const n = (running.get(who) ?? 1) - 1;
      if (n === 0) running.delete(who);
      else running.set(who, n);
      admitNext();
    };
    res.locals[LEAVE] = leave;
    res.on('close', leave);
    next();
  };

  const canRun = (who: string) => total < limits.total && (running.get(who) ?? 0) < limits.perPrincipal;

  /** Admits waiting requests while there is room, taking principals in turn. */
  const admitNext = () => {
    let admitted = true;
    while (admitted && total < limits.total) {
      admitted = false;
      for (const [who, queue] of waiting) {
        while (queue.length > 0 && queue[0]!.gone) queue.shift();
        if (queue.length === 0) {
          waiting.delete(who);
          continue;
        }
        if (!canRun(who)) continue;
        const w = queue.shift()!;
        // Rotate: this principal goes to the back of the line of those waiting.
        waiting.delete(who);
        if (queue.length > 0) waiting.set(who, queue);
        w.admit();
        admitted = true;
        break;
      }
    }
  };

  const admit = (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'OPTIONS') return next();
    const who = principalOfAuth((req as Request & { auth?: Parameters<typeof principalOfAuth>[0] }).auth) ?? '';
    if (canRun(who) && !waiting.has(who)) return start(who, res, next);
    const queue = waiting.get(who) ?? [];
    if (queue.length >= limits.queuePerPrincipal) {
      return void res.status(429).set('Retry-After', '1').json({ jsonrpc: '2.0', error: { code: -32000, message: `You have ${queue.length} requests waiting, the most one principal may; wait for their answers before sending more.` }, id: null });
    }
    const w: Waiting = { admit: () => start(who, res, next), gone: false };
    queue.push(w);
    waiting.set(who, queue);
    // A client that gives up while waiting takes its place with it.
    res.on('close', () => {
      w.gone = true;
    });
  };

  const streamsLeave = (req: Request, res: Response, next: NextFunction) => {
    const body = req.body as { method?: unknown } | undefined;
    if (req.method === 'GET' || (body && typeof body === 'object' && body.method === 'subscriptions/listen')) (res.locals[LEAVE] as (() => void) | undefined)?.();
    next();
  };

  return { admit, streamsLeave };
}

const LEAVE = 'admissionLeave';
