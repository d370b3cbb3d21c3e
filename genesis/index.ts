import { GenesisRegistry, type GenesisArtifactDef } from '../src/kernel/genesis.ts';
import { GENESIS_CODE } from './code/index.ts';
import { escrowArtifact } from './escrow/index.ts';
import { eventLogArtifact } from './event_log/index.ts';
import { ledgerArtifact } from './ledger/index.ts';
import { llmArtifact } from './llm/index.ts';
import { agentsArtifact } from './agents/index.ts';
import { memoryArtifact } from './memory/index.ts';
import { mintArtifact } from './mint/index.ts';
import { rightsArtifact } from './rights/index.ts';
import { storeArtifact } from './store/index.ts';
import { worldArtifact } from './world/index.ts';
import { bridgesArtifact } from './bridges/index.ts';
import { packagesArtifact } from './packages/index.ts';
import { capabilitiesArtifact } from './capabilities/index.ts';

/** System principals: accounts the economy needs, with no methods of their own yet. */
const systemPrincipals: GenesisArtifactDef[] = [
  { id: 'genesis_operator', description: 'The world operator: creates principals and grants allocations. Not reachable by agents.', hasStanding: true, methods: [] },
  { id: 'genesis_burn', description: 'The sink: genesis method prices and other burns leave the world here, journalled.', hasStanding: true, methods: [] },
];

/** Every genesis artifact. MCP tools, interfaces and the handbook are generated from this list. */
export const GENESIS_ARTIFACTS: readonly GenesisArtifactDef[] = [ledgerArtifact, storeArtifact, eventLogArtifact, rightsArtifact, worldArtifact, escrowArtifact, mintArtifact, llmArtifact, agentsArtifact, memoryArtifact, bridgesArtifact, packagesArtifact, capabilitiesArtifact, ...systemPrincipals];

export function createRegistry(): GenesisRegistry {
  return new GenesisRegistry(GENESIS_ARTIFACTS, GENESIS_CODE);
}
