import type { GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { cancel } from './cancel.ts';
import { list } from './list.ts';
import { listings } from './listings.ts';
import { purchase } from './purchase.ts';
import { EXPIRE_KIND, settleExpiry } from './shared.ts';

export const escrowArtifact: GenesisArtifactDef = {
  id: 'genesis_escrow',
  description: 'Escrow: sell artifacts safely. Listing takes custody at once; a purchase moves scrip and ownership together.',
  hasStanding: false,
  methods: [list, purchase, cancel, listings],
  settlers: { [EXPIRE_KIND]: settleExpiry },
};
