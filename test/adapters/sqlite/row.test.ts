import { describe, expect, it } from 'vitest';
import { fromRow } from '../../../src/adapters/sqlite/row.js';

describe('fromRow', () => {
  it('renames every column to camelCase, turns NULL into undefined and leaves out what is excepted', () => {
    const row = { id: 3, removal_stuck_at: null, removed_by: 'u1', ipv6_prefix_64: 0, payload: '{}' };
    expect(fromRow(row, 'payload')).toEqual({
      id: 3,
      removalStuckAt: undefined,
      removedBy: 'u1',
      ipv6Prefix64: 0,
    });
    expect(Object.keys(fromRow(row))).toEqual([
      'id',
      'removalStuckAt',
      'removedBy',
      'ipv6Prefix64',
      'payload',
    ]);
  });
});
