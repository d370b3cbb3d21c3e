import { basicPages } from './basics.ts';
import { pageContext, type HandbookPage } from './context.ts';
import { coordinationPage, debtPage } from './cooperation.ts';
import { mintPage, tradingPage } from './markets.ts';
import { agentsPage } from './agents.ts';
import { bridgesPage, type LiveBridge } from './bridges.ts';
import { packagesPage } from './packages.ts';
import type { Config } from '../../kernel/config.ts';
import type { GenesisRegistry } from '../../kernel/genesis.ts';

export { SESSION_CAST, type HandbookPage } from './context.ts';
export { parseSessions, type SessionStep } from './session.ts';
export { liveBridges, type LiveBridge } from './bridges.ts';
export { EXAMPLE_PACKAGE } from './packages.ts';

/**
 * The handbook, generated from the genesis registry and the config: every tool name comes from a
 * method definition (a missing one is an error here, not a stale page), and every number from the
 * config the world runs with. The prototype's agents broke on hand-written docs; these cannot drift,
 * and their worked examples are run by the tests exactly as printed. The bridges page is written from the
 * world's live bridge list (`bridges`), each time it is read, so it names what is on now and its fees.
 */
export function buildHandbook(registry: GenesisRegistry, config: Config, bridges: () => readonly LiveBridge[] = () => []): HandbookPage[] {
  const c = pageContext(registry, config);
  const live = bridgesPage(c, []);
  const bridgesLive: HandbookPage = { ...live, get text() { return bridgesPage(c, bridges()).text; } };
  return [...basicPages(c), tradingPage(c), mintPage(c), debtPage(c), coordinationPage(c), agentsPage(c), bridgesLive, packagesPage(c)];
}
