import type { GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { bid, cancelBid } from './bid.ts';
import { recordScore } from './record_score.ts';
import { seedMint, settleResolution } from './resolve.ts';
import { RESOLVE_KIND } from './state.ts';
import { status } from './status.ts';

export const mintArtifact: GenesisArtifactDef = {
  id: 'genesis_mint',
  description:
    'The mint: the issuer of all assets, and a sealed-bid uniform-price auction that scores winning code and mints scrip for it. Bids are held in its custody until resolution.',
  hasStanding: true,
  methods: [bid, cancelBid, status, recordScore],
  settlers: { [RESOLVE_KIND]: settleResolution },
  seed: seedMint,
};
