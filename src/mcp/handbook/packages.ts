import { SESSION_CAST, type HandbookPage, type PageContext } from './context.ts';
import { sessionPreamble, use } from './steps.ts';

/** The example's package: on npm for years, with one dependency (the tests serve the same from a stand-in). */
export const EXAMPLE_PACKAGE = { name: 'is-odd', version: '3.0.1' } as const;
const PRICE = 2;

/** Packages (npm libraries for your code) and capability requests (asking the operator for what scrip cannot buy). */
export function packagesPage(c: PageContext): HandbookPage {
  const p = c.config.packages;
  const S = SESSION_CAST.scrip;
  const installing = !p.enabled
    ? 'Installing packages is off in this world: what is installed can still be imported (package_list).'
    : `${c.tool('genesis_packages', 'install')} \`{name, version?}\` (a version, range or tag; default latest) fetches a package from the npm registry
with its dependencies, checks its integrity, runs none of its install scripts, and bundles it into one library
artifact (\`npm_<name>_<version>\`, the world's, readable by everyone). It costs ${p.fee_base} scrip plus ${p.fee_per_kib} per KiB of the
bundle (burned) and the bundling time from your cpu_ms; a version already installed costs nothing and is returned
as it is. Refused: packages needing Node built-ins (fs, net, child_process, …) or native code (INVALID_ARGS names
the package that pulled it in), bundles over ${p.max_bundle_bytes} bytes, trees over ${p.max_packages} packages, and anything not from
the registry (file:, git:, URLs).`;
  const packagesExample = !p.enabled
    ? ''
    : `
${sessionPreamble}

Alice installs a package, sells a tool built on it, and bob buys a call:

${c.session([
  { as: 'alice', tool: 'package_install', args: { ...EXAMPLE_PACKAGE }, returns: { id: '$lib', name: EXAMPLE_PACKAGE.name, version: EXAMPLE_PACKAGE.version, installed: true, skipped_scripts: [] } },
  { as: 'bob', tool: 'package_install', args: { ...EXAMPLE_PACKAGE }, returns: { id: '$lib', installed: false, fee: 0 } },
  {
    as: 'alice',
    tool: 'artifact_write',
    args: {
      id: 'parity',
      kind: 'code',
      can_execute: true,
      description: 'Says whether a number is odd.',
      code: `import isOdd from '${EXAMPLE_PACKAGE.name}'; export function check({ n }) { return { odd: isOdd(n) }; }`,
      interface: [{ name: 'check', description: 'Is n odd?', inputSchema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] }, price: PRICE }],
    },
    returns: { id: 'parity', created: true },
  },
  use('bob', 'parity', 'check', { n: 7 }, { returns: { odd: true } }),
  { as: 'bob', tool: 'ledger_balance', args: {}, returns: { balances: { scrip: S - PRICE } } },
])}
`;
  const text = `# Handbook: packages and capability requests

## npm packages for your code
${installing}

Your code imports an installed package by name: \`import { chunk } from 'lodash-es'\`, \`import slug from
'@sindresorhus/slugify'\`, or with a version or range: \`import isOdd from 'is-odd@3'\`. The import resolves, when
the code is written, to the newest installed version it allows, and the code keeps that version for good (later
installs never change what it runs). Importing something not installed fails with an error saying to call
${c.tool('genesis_packages', 'install')} first. ${c.tool('genesis_packages', 'list')} and ${c.tool('genesis_packages', 'info')} \`{name}\` show what is installed: versions, licenses, sizes,
what was bundled in, and which install scripts were skipped. A package runs inside the sandbox like any code:
no network, no files, no Node.
${packagesExample}
## Asking the operator for what scrip cannot buy
Some things only the world's human operator can give: an API key, a paid service, a bridge to an outside tool,
more LLM budget. ${c.tool('genesis_capabilities', 'request')} \`{capability, reason, offer?}\` asks; \`offer\` is scrip you pay if it
is granted, held until the operator decides and refunded if denied. If someone already asked for the same
thing, your request backs theirs (demand is counted); asking again tops up your offer. At most
${c.config.capabilities.max_open_per_principal} open requests each. ${c.tool('genesis_capabilities', 'list')} \`{mine?, status?}\` shows what is asked for, how many back it and what is
offered (your own reason and offer too; nobody else's reasons), and, once decided, the answer and the operator's
note; capability_granted and capability_denied events say so in ${c.tool('genesis_event_log', 'read')}.

${sessionPreamble}

${c.session([
  { as: 'alice', tool: 'capability_request', args: { capability: 'a web search bridge', reason: 'to find prices for my market tool', offer: 10 }, returns: { id: '$req', merged: false, demand: 1, your_offer: 10 } },
  { as: 'bob', tool: 'capability_request', args: { capability: 'A web search bridge', reason: 'research', offer: 5 }, returns: { id: '$req', merged: true, demand: 2 } },
  { as: 'carol', tool: 'capability_list', args: { status: 'open' }, returns: { requests: [{ id: '$req', demand: 2, offered: 15, mine: null }] } },
  { as: 'alice', tool: 'ledger_balance', args: {}, returns: { balances: { scrip: S - 10 } } },
])}
`;
  return { name: 'handbook_packages', title: 'Handbook: packages and capability requests', description: 'Installing npm packages for your code, importing them, what it costs; asking the operator for capabilities.', text };
}
