import type { GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { del } from './delete.ts';
import { info } from './info.ts';
import { invoke } from './invoke.ts';
import { read } from './read.ts';
import { search } from './search.ts';
import { transfer } from './transfer.ts';
import { write } from './write.ts';

export const storeArtifact: GenesisArtifactDef = {
  id: 'genesis_store',
  description: 'The artifact store: write, read, describe, delete, transfer, invoke and search artifacts.',
  hasStanding: false,
  methods: [write, read, info, del, transfer, invoke, search],
};
