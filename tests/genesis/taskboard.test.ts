import { describe, expect, it } from 'vitest';
import { stateOf, useWorld, type TestWorld } from '../helpers/world.ts';
import { scripOf, serviceCall, serviceFail } from '../helpers/services.ts';

const post = (t: TestWorld, bounty = 100, expiresS = 3_600) =>
  serviceCall(t, 'alice', 'genesis_taskboard', 'post', { title: 'Write a CSV parser', description: 'RFC 4180, quoted fields', expires_in_s: expiresS }, bounty).id as string;

describe('genesis_taskboard', () => {
  const w = useWorld({ principals: ['alice', 'bob', 'carol'], config: { principal_defaults: { scrip: 1_000 } } });

  it('the board holds the bounty in its own account and pays the claimant on acceptance', () => {
    const t = w();
    const id = post(t);
    expect(id).toMatch(/^genesis_taskboard\.task_[0-9a-f]{16}$/);
    expect([scripOf(t, 'alice'), scripOf(t, 'genesis_taskboard')]).toEqual([900, 100]);
    expect(serviceCall(t, 'bob', 'genesis_taskboard', 'claim', { task_id: id })).toMatchObject({ status: 'claimed', claimant: 'bob' });
    serviceCall(t, 'bob', 'genesis_taskboard', 'submit', { task_id: id, result: 'artifact csv_parser' });
    expect(serviceCall(t, 'alice', 'genesis_taskboard', 'accept', { task_id: id })).toMatchObject({ status: 'done', submission: 'artifact csv_parser' });
    expect([scripOf(t, 'alice'), scripOf(t, 'bob'), scripOf(t, 'genesis_taskboard')]).toEqual([900, 1_100, 0]);
  });

  it('a task claimed twice: the second claim fails cleanly and changes nothing', () => {
    const t = w();
    const id = post(t);
    serviceCall(t, 'bob', 'genesis_taskboard', 'claim', { task_id: id });
    const before = stateOf(t.world);
    expect(serviceFail(t, 'carol', 'genesis_taskboard', 'claim', { task_id: id }, 'CONFLICT').message).toMatch(/already claimed by bob/);
    serviceFail(t, 'bob', 'genesis_taskboard', 'claim', { task_id: id }, 'CONFLICT');
    expect(stateOf(t.world)).toBe(before);
  });

  it('rejection reopens the task for anyone; only the claimant submits and only the poster decides', () => {
    const t = w();
    const id = post(t);
    serviceFail(t, 'alice', 'genesis_taskboard', 'claim', { task_id: id }, 'INVALID_ARGS');
    serviceCall(t, 'bob', 'genesis_taskboard', 'claim', { task_id: id });
    serviceFail(t, 'carol', 'genesis_taskboard', 'submit', { task_id: id, result: 'mine' }, 'ACCESS_DENIED');
    serviceFail(t, 'alice', 'genesis_taskboard', 'accept', { task_id: id }, 'CONFLICT');
    serviceCall(t, 'bob', 'genesis_taskboard', 'submit', { task_id: id, result: 'half done' });
    serviceFail(t, 'bob', 'genesis_taskboard', 'accept', { task_id: id }, 'ACCESS_DENIED');
    const r = serviceCall(t, 'alice', 'genesis_taskboard', 'reject', { task_id: id, reason: 'no quoting' });
    expect(r).toMatchObject({ status: 'open', claimant: null, rejected: { claimant: 'bob', reason: 'no quoting' } });
    serviceCall(t, 'carol', 'genesis_taskboard', 'claim', { task_id: id });
    serviceCall(t, 'carol', 'genesis_taskboard', 'submit', { task_id: id, result: 'done properly' });
    serviceCall(t, 'alice', 'genesis_taskboard', 'accept', { task_id: id });
    expect([scripOf(t, 'alice'), scripOf(t, 'bob'), scripOf(t, 'carol')]).toEqual([900, 1_000, 1_100]);
  });

  it('expiry refunds the poster once, settled by anyone; work on an expired task is refused', () => {
    const t = w();
    const a = post(t, 100, 60);
    const b = post(t, 50, 60);
    const c = post(t, 25, 60);
    serviceCall(t, 'bob', 'genesis_taskboard', 'claim', { task_id: b });
    serviceFail(t, 'carol', 'genesis_taskboard', 'expire', { task_id: a }, 'CONFLICT');
    t.clock.advance(60_000);
    expect(serviceCall(t, 'carol', 'genesis_taskboard', 'expire', { task_id: a }).status).toBe('expired');
    // Nobody ever took it on, so its record is gone; a second settlement finds nothing to pay.
    expect(serviceFail(t, 'carol', 'genesis_taskboard', 'expire', { task_id: a }, 'NOT_FOUND').message).toMatch(/record is gone/);
    expect(serviceFail(t, 'bob', 'genesis_taskboard', 'submit', { task_id: b, result: 'late' }, 'CONFLICT').message).toMatch(/expired at .*genesis_taskboard.expire/);
    serviceFail(t, 'carol', 'genesis_taskboard', 'claim', { task_id: c }, 'CONFLICT');
    // It shows as expired before anyone settles it; the refund is pending until then.
    expect(serviceCall(t, 'bob', 'genesis_taskboard', 'check', { task_id: b })).toMatchObject({ status: 'expired', refund_pending: true });
    expect(scripOf(t, 'genesis_taskboard')).toBe(75);
    serviceCall(t, 'bob', 'genesis_taskboard', 'expire', { task_id: b });
    // The poster cancelling an expired task just takes the refund.
    expect(serviceCall(t, 'alice', 'genesis_taskboard', 'cancel', { task_id: c }).status).toBe('expired');
    expect([scripOf(t, 'alice'), scripOf(t, 'genesis_taskboard')]).toEqual([1_000, 0]);
    // Only b, which bob had claimed, keeps its record.
    expect(serviceCall(t, 'bob', 'genesis_taskboard', 'list', { status: 'expired' }).tasks.map((x: { id: string }) => x.id)).toEqual([b]);
  });

  it('cancel refunds an unclaimed task; a claimed one cannot be cancelled', () => {
    const t = w();
    const a = post(t);
    const b = post(t, 30);
    serviceCall(t, 'bob', 'genesis_taskboard', 'claim', { task_id: b });
    serviceFail(t, 'bob', 'genesis_taskboard', 'cancel', { task_id: a }, 'ACCESS_DENIED');
    serviceFail(t, 'alice', 'genesis_taskboard', 'cancel', { task_id: b }, 'CONFLICT');
    expect(serviceCall(t, 'alice', 'genesis_taskboard', 'cancel', { task_id: a }).status).toBe('cancelled');
    expect(scripOf(t, 'alice')).toBe(970);
    const open = serviceCall(t, 'carol', 'genesis_taskboard', 'list', { status: 'claimed' });
    expect(open.tasks.map((x: { id: string }) => x.id)).toEqual([b]);
    expect(serviceCall(t, 'carol', 'genesis_taskboard', 'list', {}).tasks).toHaveLength(1);
    serviceFail(t, 'carol', 'genesis_taskboard', 'check', { task_id: a }, 'NOT_FOUND');
  });

  it('bad input gets a clear error and changes nothing', () => {
    const t = w();
    const before = stateOf(t.world);
    expect(serviceFail(t, 'alice', 'genesis_taskboard', 'post', { title: 'free work', expires_in_s: 60 }, 'INVALID_ARGS').message).toMatch(/Attach the bounty/);
    serviceFail(t, 'alice', 'genesis_taskboard', 'post', { title: '', expires_in_s: 60 }, 'INVALID_ARGS', 10);
    serviceFail(t, 'alice', 'genesis_taskboard', 'post', { title: 'x', expires_in_s: 0 }, 'INVALID_ARGS', 10);
    serviceFail(t, 'alice', 'genesis_taskboard', 'post', { title: 'x', expires_in_s: 60 }, 'INSUFFICIENT_FUNDS', 5_000);
    serviceFail(t, 'bob', 'genesis_taskboard', 'claim', { task_id: 'genesis_taskboard.task_0000000000000000' }, 'NOT_FOUND');
    serviceFail(t, 'bob', 'genesis_taskboard', 'claim', { task_id: '../etc' }, 'INVALID_ARGS');
    expect(stateOf(t.world)).toBe(before);
  });
});
