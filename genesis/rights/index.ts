import type { GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { quotas } from './quotas.ts';
import { transfer } from './transfer.ts';

export const rightsArtifact: GenesisArtifactDef = {
  id: 'genesis_rights',
  description: 'Rights: disk quota, LLM budget and rate-window allocations, which can be inspected and traded.',
  hasStanding: false,
  methods: [quotas, transfer],
};
