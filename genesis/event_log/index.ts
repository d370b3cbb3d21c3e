import type { GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { read } from './read.ts';

export const eventLogArtifact: GenesisArtifactDef = {
  id: 'genesis_event_log',
  description: 'The append-only log of everything that happens in the world, readable with filters and a cursor.',
  hasStanding: false,
  methods: [read],
};
