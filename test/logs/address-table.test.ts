import { describe, expect, it } from 'vitest';
import { AddressTable } from '../../src/logs/address-table.js';

/** What one drain hands to the store. */
function drained(table: AddressTable<number>): { written: string[]; removed: string[] } {
  const written: string[] = [];
  const removed: string[] = [];
  table.drain(
    (ip) => written.push(ip),
    (ip) => removed.push(ip),
  );
  return { written, removed };
}

describe('AddressTable', () => {
  it('an entry dropped before it was ever drained costs the store nothing', () => {
    const table = new AddressTable<number>(2);
    table.set('a', 1);
    table.set('b', 2);
    table.set('c', 3); // evicts a, never written
    expect(table.evicted).toBe(1);
    expect(drained(table)).toEqual({ written: ['b', 'c'], removed: [] });
  });

  /** A table whose entry `a` was written to the store, then deleted. */
  function storedThenDeleted(): AddressTable<number> {
    const table = new AddressTable<number>(10);
    table.set('a', 1);
    drained(table);
    table.delete('a');
    return table;
  }

  it('an entry dropped after it was drained is removed from the store', () => {
    const table = storedThenDeleted();
    expect(table.pending).toBe(1);
    expect(drained(table)).toEqual({ written: [], removed: ['a'] });
  });

  it('a stored entry deleted, added again and deleted again is still removed from the store', () => {
    const table = storedThenDeleted();
    table.add('a', 2);
    table.delete('a');
    expect(drained(table)).toEqual({ written: [], removed: ['a'] });
  });

  it('a stored entry deleted and added again is written, not removed', () => {
    const table = storedThenDeleted();
    table.set('a', 2);
    expect(drained(table)).toEqual({ written: ['a'], removed: [] });
  });

  it('evicts the least recently touched entry and drains changes once, in order, within the budget', () => {
    const table = new AddressTable<number>(2);
    table.set('a', 1);
    table.set('b', 2);
    table.touch('a');
    table.set('c', 3); // evicts b: a was touched since
    expect(table.keys()).toEqual(['a', 'c']);
    const first: string[] = [];
    expect(
      table.drain(
        (ip) => first.push(ip),
        () => {},
        1,
      ),
    ).toBe(1);
    expect(first).toEqual(['a']);
    expect(drained(table)).toEqual({ written: ['c'], removed: [] });
    expect(table.pending).toBe(0);
  });

  it('drops entries in least-recently-used order through any mix of adds, touches, deletes and restores', () => {
    const table = new AddressTable<number>(5);
    // The reference: an array, least recently used first.
    let model: string[] = [];
    let evicted = 0;
    const ops = 'aAbBcCdDeEaTfFcTgGaXhHeTaRiIgTjJjTkK';
    for (let i = 0; i < ops.length; i += 2) {
      const ip = ops[i] as string;
      const op = ops[i + 1] as string;
      if (op === 'T') {
        table.touch(ip);
        if (model.includes(ip)) model = [...model.filter((k) => k !== ip), ip];
      } else if (op === 'X') {
        table.delete(ip);
        model = model.filter((k) => k !== ip);
      } else if (op === 'R') {
        table.restore(ip, i);
        if (!model.includes(ip)) model.push(ip);
      } else if (!model.includes(ip)) {
        table.set(ip, i);
        if (model.length >= 5) {
          model.shift();
          evicted++;
        }
        model.push(ip);
      }
      expect(table.keys()).toEqual(model);
    }
    expect(table.evicted).toBe(evicted);
    expect(table.size).toBe(model.length);
    expect(model.map((ip) => table.get(ip) !== undefined)).toEqual(model.map(() => true));
  });

  it('a sweep may delete the entries it is handed, in recency order', () => {
    const table = new AddressTable<number>(10);
    for (const [i, ip] of ['a', 'b', 'c', 'd'].entries()) table.set(ip, i);
    table.touch('a');
    const seen: string[] = [];
    table.forEach((v, ip) => {
      seen.push(ip);
      if (v % 2 === 0) table.delete(ip);
    });
    expect(seen).toEqual(['b', 'c', 'd', 'a']);
    expect(table.keys()).toEqual(['b', 'd']);
    table.set('e', 4);
    expect(table.keys()).toEqual(['b', 'd', 'e']);
  });
});
