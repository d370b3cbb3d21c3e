import type { GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { forget, search, write } from './methods.ts';

/** Memory for every principal: entries in a memory artifact, searched by words. */
export const memoryArtifact: GenesisArtifactDef = {
  id: 'genesis_memory',
  description: 'Memories: write entries to a memory artifact (your own by default) and search them by words.',
  hasStanding: false,
  methods: [write, search, forget],
};
