import type { GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { balance } from './balance.ts';
import { history } from './history.ts';
import { transfer } from './transfer.ts';

export const ledgerArtifact: GenesisArtifactDef = {
  id: 'genesis_ledger',
  description: 'The ledger: balances of every principal, scrip transfers and the public journal of every movement.',
  hasStanding: false,
  methods: [balance, transfer, history],
};
