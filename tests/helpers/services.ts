import type { TestWorld } from './world.ts';
import type { ErrorCode } from '../../src/kernel/errors.ts';

/** A principal's scrip, looked up as the operator. */
export const scripOf = (t: TestWorld, principal: string): number => t.peek('genesis_ledger', 'balance', { principal }).balances.scrip;

/** Calls a method of an executable artifact (a genesis code service or an agent's) through artifact_invoke. */
export function serviceCall<T = any>(t: TestWorld, caller: string, id: string, method: string, args: object, pay = 0): T {
  return t.ok(caller, 'genesis_store', 'invoke', { id, method, args, ...(pay > 0 ? { pay } : {}) });
}

/** The same call, expected to fail with `code`. */
export function serviceFail(t: TestWorld, caller: string, id: string, method: string, args: object, code: ErrorCode, pay = 0) {
  return t.fail(caller, 'genesis_store', 'invoke', { id, method, args, ...(pay > 0 ? { pay } : {}) }, code);
}
