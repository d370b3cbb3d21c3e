import type { GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { countOpenObligations } from '../code/backfill.ts';
import { createPrincipal } from './create_principal.ts';
import { grant } from './grant.ts';
import { whoami } from './whoami.ts';
import { createToken, listTokens, revokeToken } from './tokens.ts';
import { listPrincipals } from './principals.ts';

export const worldArtifact: GenesisArtifactDef = {
  id: 'genesis_world',
  description: 'The world itself: who you are, your limits, and (for the operator) principal administration.',
  hasStanding: false,
  methods: [whoami, createPrincipal, grant, createToken, revokeToken, listTokens, listPrincipals],
  seed: countOpenObligations,
};
