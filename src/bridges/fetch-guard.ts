// Loaded into the fetch upstream's own process (node --import): every fetch it makes goes through the
// world's SSRF guard (see guardFetch).
import { guardFetch } from './ssrf.ts';

globalThis.fetch = guardFetch(globalThis.fetch);
