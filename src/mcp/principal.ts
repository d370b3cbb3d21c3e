import type { AuthInfo } from '@modelcontextprotocol/server';

/** The principal an authenticated request acts as (set by our token verifier, or passed in-process). */
export function principalOfAuth(auth: AuthInfo | undefined): string | null {
  const p = auth?.extra?.principal;
  return typeof p === 'string' ? p : null;
}
