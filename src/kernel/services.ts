import type { Allowances } from './allowances.ts';
import type { Artifacts } from './artifacts.ts';
import type { Store } from './db/store.ts';
import type { EventLog } from './events.ts';
import type { Ledger } from './ledger.ts';
import type { Libraries } from './libraries.ts';
import type { Rates } from './rates.ts';
import type { Search } from './search.ts';
import type { Stats } from './stats.ts';
import type { Tokens } from './tokens.ts';

/** The world's repositories, all over the one store and its open transaction. */
export interface Services {
  store: Store;
  ledger: Ledger;
  artifacts: Artifacts;
  rates: Rates;
  events: EventLog;
  stats: Stats;
  search: Search;
  tokens: Tokens;
  allowances: Allowances;
  libraries: Libraries;
}
