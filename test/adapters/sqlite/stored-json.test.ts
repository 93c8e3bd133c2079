import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { CheckStateRepository } from '../../../src/adapters/sqlite/check-state-repository.js';
import { ProposalRepository } from '../../../src/adapters/sqlite/proposal-repository.js';
import { StoredRowError } from '../../../src/adapters/sqlite/stored-json.js';
import { openTestDatabase } from '../../harness/actions-fixture.js';

describe('stored JSON columns', () => {
  it('read a stored proposal action back through its schema, and name the row when it does not fit', () => {
    const db = openTestDatabase();
    const proposals = new ProposalRepository(db);
    const draft = {
      summary: 'Block 203.0.113.7',
      origin: 'command',
      requestedBy: '1',
      requiredApprovals: 1,
      createdAt: 0,
      expiresAt: 60_000,
    } as const;
    const good = proposals.insert({
      ...draft,
      action: { kind: 'block-ip', target: '203.0.113.7', reason: 'x', force: false },
    });
    expect(proposals.require(good.id).action).toEqual({
      kind: 'block-ip',
      target: '203.0.113.7',
      reason: 'x',
      force: false,
    });
    const bad = proposals.insert({ ...draft, action: { kind: 'unblock-ip', target: '203.0.113.8' } });
    db.prepare('UPDATE proposals SET payload = ? WHERE id = ?').run('{"kind":"block-ip","target":7}', bad.id);
    expect(() => proposals.require(bad.id)).toThrow(StoredRowError);
    expect(() => proposals.require(bad.id)).toThrow(
      new RegExp(`^proposals row ${bad.id}: the stored JSON does not match its schema \\(`),
    );
    db.prepare('UPDATE proposals SET payload = ? WHERE id = ?').run('{not json', bad.id);
    expect(() => proposals.require(bad.id)).toThrow(/not JSON/);
    expect(proposals.require(good.id).id).toBe(good.id);
  });

  it('check state: a value of the wrong shape is an error naming check and key, not a wrong type', () => {
    const db = openTestDatabase();
    const state = new CheckStateRepository(db).forCheck('plex-devices', () => 0);
    state.set('baseline', { seen: { a: 1 } });
    expect(state.get('baseline', v.object({ seen: v.record(v.string(), v.number()) }))).toEqual({
      seen: { a: 1 },
    });
    expect(state.get('missing', v.string())).toBeUndefined();
    state.set('baseline', { seen: 'a' });
    expect(() => state.get('baseline', v.object({ seen: v.record(v.string(), v.number()) }))).toThrow(
      /check_state row plex-devices\/baseline: .*seen: expected Object/,
    );
  });
});
