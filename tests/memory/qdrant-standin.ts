import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small local HTTP stand-in for a Qdrant server (none can run here): the endpoints the adapter uses,
 * with Qdrant's reply envelope (`{result, status, time}`), its error shape, and its checks (a missing
 * collection is 404, a vector of the wrong size is 400). Exact cosine search over the points it holds.
 */
interface Collection {
  size: number;
  points: Map<number, { vector: number[]; payload: Record<string, unknown> }>;
  indexes: Set<string>;
}

export interface QdrantStandIn {
  url: string;
  /** Requests seen, as 'METHOD path'. */
  requests: string[];
  collections: Map<string, Collection>;
  /** While set, every request waits this long first (a slow server). */
  delayMs: number;
  close(): Promise<void>;
}

const cosine = (a: number[], b: number[]): number => {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / (Math.sqrt(na) * Math.sqrt(nb) || 1);
};

type Filter = { must?: { key: string; match: { value: unknown } }[] };
const matches = (payload: Record<string, unknown>, f: Filter | undefined) => (f?.must ?? []).every((c) => payload[c.key] === c.match.value);

export async function qdrantStandIn(): Promise<QdrantStandIn> {
  const collections = new Map<string, Collection>();
  const requests: string[] = [];
  const state = { delayMs: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push(`${req.method} ${url.pathname}`);
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
      const reply = (status: number, result: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status < 300 ? { result, status: 'ok', time: 0.0001 } : { status: { error: String(result) }, time: 0.0001 }));
      };
      const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (!m) return reply(404, `Not found: ${url.pathname}`);
      const name = decodeURIComponent(m[1]!);
      const rest = m[2] ?? '';
      const input = body ? JSON.parse(body) : {};
      const c = collections.get(name);
      const key = `${req.method} ${rest}`;
      if (key === 'GET /exists') return reply(200, { exists: c !== undefined });
      if (key === 'PUT ') {
        if (c) return reply(409, `Wrong input: Collection \`${name}\` already exists!`);
        if (typeof input.vectors?.size !== 'number' || input.vectors.distance !== 'Cosine') return reply(400, 'Bad request: vectors.size and distance needed');
        collections.set(name, { size: input.vectors.size, points: new Map(), indexes: new Set() });
        return reply(200, true);
      }
      if (!c) return reply(404, `Not found: Collection \`${name}\` doesn't exist!`);
      const done = { operation_id: requests.length, status: 'completed' };
      switch (key) {
        case 'GET ':
          return reply(200, { status: 'green', points_count: c.points.size, config: { params: { vectors: { size: c.size, distance: 'Cosine' } } } });
        case 'DELETE ':
          collections.delete(name);
          return reply(200, true);
        case 'PUT /index':
          c.indexes.add(input.field_name);
          return reply(200, done);
        case 'PUT /points': {
          const points = input.points as { id: number; vector: number[]; payload?: Record<string, unknown> }[];
          if (!Array.isArray(points)) return reply(400, 'Bad request: points needed');
          for (const p of points) if (!Array.isArray(p.vector) || p.vector.length !== c.size) return reply(400, `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${p.vector?.length}`);
          for (const p of points) c.points.set(Number(p.id), { vector: p.vector, payload: p.payload ?? {} });
          return reply(200, done);
        }
        case 'POST /points/delete':
          if (Array.isArray(input.points)) for (const id of input.points) c.points.delete(Number(id));
          else return reply(400, 'Bad request: points selector needed');
          return reply(200, done);
        case 'POST /points/query': {
          const q = input.query as number[];
          if (!Array.isArray(q) || q.length !== c.size) return reply(400, `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${q?.length}`);
          const points = [...c.points.entries()]
            .filter(([, p]) => matches(p.payload, input.filter))
            .map(([id, p]) => ({ id, version: 0, score: cosine(q, p.vector) }))
            .sort((a, b) => b.score - a.score)
            .slice(0, input.limit ?? 10);
          return reply(200, { points });
        }
        default:
          return reply(404, `Not found: ${req.method} ${url.pathname}`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const standIn: QdrantStandIn = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    collections,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v: number) {
      state.delayMs = v;
    },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
  return standIn;
}
