import type { GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { approve } from './approve.ts';
import { balance } from './balance.ts';
import { history } from './history.ts';
import { transfer } from './transfer.ts';
import { transferFrom } from './transfer_from.ts';

export const ledgerArtifact: GenesisArtifactDef = {
  id: 'genesis_ledger',
  description: 'The ledger: balances of every principal, scrip transfers, approvals, and the journal of every movement.',
  hasStanding: false,
  methods: [balance, transfer, history, approve, transferFrom],
};
