import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A request line for people: `alice tools/call ledger_transfer → INSUFFICIENT_FUNDS (3.1 ms)`. */
function human(log: Record<string, unknown>, messageKey: string): string {
  if (log[messageKey] !== 'request') return String(log[messageKey] ?? '');
  const who = log.principal ?? '(no principal)';
  const what = log.tool === undefined ? log.method : `${log.method} ${log.tool}`;
  return `${who} ${what} → ${log.outcome} (${log.duration_ms} ms)`;
}

/**
 * The server's logger, to stderr (stdout may carry a protocol). `json` writes one JSON object per line
 * for machines; `pretty` one readable line, coloured on a terminal. Both synchronous, so the last lines
 * before an exit are not lost.
 */
export function createLogger(level: LogLevel, format: LogFormat): Logger {
  if (format === 'json') return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: true }));
  const stream = pretty({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    hideObject: true,
    messageFormat: human,
  });
  return pino({ level, base: undefined }, stream);
}
