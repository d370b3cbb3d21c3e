import type { LookupAddress, LookupAllOptions, LookupOneOptions, lookup as dnsLookup } from 'node:dns';
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * The world's SSRF guard: a URL may name only public unicast addresses, by literal or by every address its
 * name resolves to. Loopback, private, link-local (cloud metadata at 169.254.169.254), unique-local,
 * carrier-grade NAT, multicast, reserved and unspecified addresses are refused, IPv4-mapped IPv6 included.
 */
export class SsrfRefused extends Error {}

/** Why an address may not be fetched, or null if it may. */
export function addressRefusal(address: string): string | null {
  if (!ipaddr.isValid(address)) return `'${address}' is not an IP address`;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  // The deprecated IPv4-compatible form (::a.b.c.d), which ipaddr.js calls unicast, reaches IPv4 on some stacks.
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0)) return `${address} is an IPv4-compatible address`;
  const range = ip.range();
  return range === 'unicast' ? null : `${address} is a ${range} address`;
}

/** Checks a URL before anything is fetched; throws SsrfRefused saying why. `resolve` is swappable for tests. */
export async function checkUrl(raw: unknown, resolve: (host: string) => Promise<string[]> = resolveAll): Promise<URL> {
  if (typeof raw !== 'string' || raw.length > 4_096) throw new SsrfRefused('the url must be a string of at most 4096 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SsrfRefused(`'${raw.slice(0, 200)}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SsrfRefused(`only http and https URLs may be fetched, not ${url.protocol}`);
  if (url.username || url.password) throw new SsrfRefused('URLs with credentials are refused');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '' || /^localhost\.?$/i.test(host) || /\.localhost\.?$/i.test(host)) throw new SsrfRefused(`'${host}' is this machine`);
  const literal = ipaddr.isValid(host);
  const addresses = literal ? [host] : await resolve(host);
  if (addresses.length === 0) throw new SsrfRefused(`'${host}' does not resolve`);
  for (const a of addresses) {
    const why = addressRefusal(a);
    if (why) throw new SsrfRefused(`${literal ? '' : `${host} resolves to `}${why}; only public addresses may be fetched`);
  }
  return url;
}

async function resolveAll(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return [];
  }
}

const MAX_REDIRECTS = 5;

/**
 * `fetch` behind the guard: every URL checked before it is requested, redirects followed by hand (at most
 * five), each hop checked first, and a caller-given proxy dropped. (The fetch upstream's own check looks at
 * the final URL only after its fetch followed the redirects: a private address would already have been hit.)
 */
export function guardFetch(original: typeof fetch, check: (url: string) => Promise<unknown> = checkUrl): typeof fetch {
  return async (input, init) => {
    let url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const { proxy: _dropped, ...rest } = (init ?? {}) as RequestInit & { proxy?: unknown };
    for (let hop = 0; ; hop++) {
      await check(url);
      const res = await original(url, { ...rest, redirect: 'manual' });
      const next = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || next === null) return res;
      if (hop >= MAX_REDIRECTS) throw new SsrfRefused(`more than ${MAX_REDIRECTS} redirects`);
      url = new URL(next, url).href;
    }
  };
}

/**
 * `dns.lookup` behind the guard: every address a name resolves to when a connection is made is checked, so
 * a name that resolved to a public address for checkUrl and to a private one a moment later (DNS rebinding)
 * is refused at the connection, whichever library in the process makes it.
 */
export function guardLookup(original: typeof dnsLookup): typeof dnsLookup {
  const guarded = (host: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (err: NodeJS.ErrnoException | null, address?: string | LookupAddress[], family?: number) => void;
    const opts = typeof options === 'number' ? { family: options } : typeof options === 'object' && options !== null ? (options as LookupOneOptions | LookupAllOptions) : {};
    original(host, { ...opts, all: true }, (err, addresses) => {
      if (err) return cb(err);
      if (addresses.length === 0) return cb(Object.assign(new SsrfRefused(`'${host}' does not resolve`), { code: 'ENOTFOUND' }));
      const why = addresses.map((a) => addressRefusal(a.address)).find((w) => w !== null);
      if (why) return cb(Object.assign(new SsrfRefused(`${host} resolves to ${why}; only public addresses may be fetched`), { code: 'ECONNREFUSED' }));
      if (opts.all) cb(null, addresses);
      else cb(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  return guarded as typeof dnsLookup;
}
