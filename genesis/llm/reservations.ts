import type { LlmEndpoint } from '../../src/kernel/config.ts';
import type { Store } from '../../src/kernel/db/store.ts';

/** The account that holds reserved LLM budget until each call is settled. */
export const LLM_ACCOUNT = 'genesis_llm';
/** Scheduled work that settles a reservation its process never settled. */
export const EXPIRE_KIND = 'llm_reservation_expiry';

export interface Reservation {
  id: string;
  principal: string;
  endpoint: string;
  input_price: number;
  output_price: number;
  tokens: number;
  cost: number;
  reserved_at: number;
  state: 'open' | 'settled';
}

/** What `tokens` cost at an endpoint's prices (per 1,000, in micro-dollars), each part rounded up. */
export function priceOf(prices: { input: number; output: number }, inputTokens: number, outputTokens: number): number {
  return Math.ceil((inputTokens * prices.input) / 1000) + Math.ceil((outputTokens * prices.output) / 1000);
}

export const pricesOf = (e: LlmEndpoint) => ({ input: e.input_micro_usd_per_1k, output: e.output_micro_usd_per_1k });

const COLUMNS = 'id, principal, endpoint, input_price, output_price, tokens, cost, reserved_at, state';

export class Reservations {
  constructor(private readonly store: Store) {}

  get(id: string): Reservation | undefined {
    return this.store.one<Reservation>(`SELECT ${COLUMNS} FROM llm_reservations WHERE id = ?`, id);
  }

  insert(r: Omit<Reservation, 'state'>): void {
    this.store.run(
      `INSERT INTO llm_reservations (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open')`,
      r.id,
      r.principal,
      r.endpoint,
      r.input_price,
      r.output_price,
      r.tokens,
      r.cost,
      r.reserved_at,
    );
  }

  close(id: string, at: number, usage: { input_tokens: number; output_tokens: number; charged: number; outcome: string }): void {
    this.store.run(
      `UPDATE llm_reservations SET state = 'settled', settled_at = ?, input_tokens = ?, output_tokens = ?, charged = ?, outcome = ? WHERE id = ? AND state = 'open'`,
      at,
      usage.input_tokens,
      usage.output_tokens,
      usage.charged,
      usage.outcome,
      id,
    );
  }

  openCount(principal: string): number {
    return this.store.one<{ n: number }>(`SELECT count(*) AS n FROM llm_reservations WHERE principal = ? AND state = 'open'`, principal)!.n;
  }
}
