import type { GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { EXPIRE_KIND } from './reservations.ts';
import { reserve } from './reserve.ts';
import { settle, settleExpiry } from './settle.ts';

/**
 * The LLM gateway's ledger side: every LLM call in the world is reserved here before it is made and
 * settled from its usage after, in two transactions, so no call waits on the network inside one.
 */
export const llmArtifact: GenesisArtifactDef = {
  id: 'genesis_llm',
  description: 'The LLM gateway: holds the LLM budget reserved by calls in flight, and settles each from its actual usage.',
  hasStanding: true,
  methods: [reserve, settle],
  settlers: { [EXPIRE_KIND]: settleExpiry },
};
