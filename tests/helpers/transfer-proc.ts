// A separate OS process hammering one world file: `node --import tsx transfer-proc.ts DB FROM TO COUNT`.
// Prints {"ok":N,"insufficient":N,"other":[codes]} on stdout.
import { World } from '../../src/world.ts';

const [db, from, to, count] = process.argv.slice(2);
const world = await World.open({ path: db!, sandbox: 'own' });
const out = { ok: 0, insufficient: 0, other: [] as string[] };
for (let i = 0; i < Number(count); i++) {
  const r = world.invoke(from!, 'genesis_ledger', 'transfer', { to: to!, amount: 1 });
  if (r.ok) out.ok++;
  else if (r.error.code === 'INSUFFICIENT_FUNDS') out.insufficient++;
  else out.other.push(`${r.error.code}: ${r.error.message}`);
}
await world.close();
process.stdout.write(JSON.stringify(out));
