import type { GenesisArtifactDef } from '../../src/kernel/genesis.ts';
import { sleep, settleWake, wake } from './sleep.ts';
import { spawn } from './spawn.ts';
import { status } from './status.ts';
import { checkWakes, claim, freeze, list, pause, recordStep, resume, traces } from './operator.ts';
import { WAKE_KIND } from './store.ts';

/** Hosted agents: spawned by any principal, run by the host as MCP clients of this server. */
export const agentsArtifact: GenesisArtifactDef = {
  id: 'genesis_agents',
  description: 'Hosted LLM agents: spawn one with a goal and a budget, see its status, and let it sleep and wake.',
  hasStanding: false,
  methods: [spawn, status, sleep, wake, list, pause, resume, claim, recordStep, traces, freeze, checkWakes],
  settlers: { [WAKE_KIND]: settleWake },
};
