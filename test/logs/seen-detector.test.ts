import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { firstSeenRemote } from '../../src/logs/detectors/first-seen-remote.js';
import type { DetectorInstance, StateRow } from '../../src/logs/detectors/types.js';
import { LogEvent } from '../../src/logs/log-event.js';

const config = loadConfig({ LOG_SOURCES: 'sshd:/var/log/auth.log' }, { requireDiscord: false });
const source = { id: 'sshd', kind: 'sshd', path: '/var/log/auth.log' } as const;

function instance(): DetectorInstance {
  return firstSeenRemote.create({
    source,
    settings: config.logs.settings.sshd,
    maxTracked: 100,
    changed: () => {},
  });
}

function event(user: string): LogEvent {
  const ev = new LogEvent();
  ev.user = user;
  return ev;
}

function drain(inst: DetectorInstance): StateRow[] {
  const rows: StateRow[] = [];
  inst.drain(
    (row) => rows.push(row),
    () => {},
    Number.POSITIVE_INFINITY,
  );
  return rows;
}

describe('first-seen state', () => {
  const T = Date.UTC(2026, 10, 25, 19, 30, 12, 345);

  it('writes the same JSON for every entry, with or without a user, learned or reported', () => {
    const inst = instance();
    expect(inst.observe(event(''), '203.0.113.1', T, true)).toBe(false);
    expect(inst.observe(event(''), '203.0.113.2', T + 1, false)).toBe(true);
    expect(inst.observe(event('root'), '203.0.113.3', T + 2, false)).toBe(true);
    // Seen before: nothing changes.
    expect(inst.observe(event(''), '203.0.113.2', T + 5, false)).toBe(false);
    expect(drain(inst)).toEqual([
      { ip: '203.0.113.1', state: JSON.stringify({ firstAt: T, flagged: false, user: '' }), lastAt: T },
      {
        ip: '203.0.113.2',
        state: JSON.stringify({ firstAt: T + 1, flagged: true, user: '' }),
        lastAt: T + 1,
      },
      {
        ip: '203.0.113.3',
        state: JSON.stringify({ firstAt: T + 2, flagged: true, user: 'root' }),
        lastAt: T + 2,
      },
    ]);
  });

  it('restores what it wrote: the same findings, the same rows, the addresses known', () => {
    const first = instance();
    first.observe(event(''), '203.0.113.1', T, true);
    first.observe(event(''), '203.0.113.2', T + 1, false);
    first.observe(event('root'), '203.0.113.3', T + 2, false);
    const rows = drain(first);
    // A time that is not a whole millisecond (an older row) comes back exactly as well.
    rows.push({
      ip: '203.0.113.4',
      state: JSON.stringify({ firstAt: T + 0.5, flagged: true, user: '' }),
      lastAt: T,
    });
    const second = instance();
    second.restore(rows);
    expect(second.settled('203.0.113.1')).toBe(true);
    expect(second.render('203.0.113.1')).toBeUndefined();
    expect(second.render('203.0.113.2')?.evidence).toBe(first.render('203.0.113.2')?.evidence);
    expect(second.render('203.0.113.3')?.evidence).toContain('as "root"');
    expect(second.render('203.0.113.4')).toBeDefined();
    // Marked changed only when observed again, which a known address never is.
    expect(second.observe(event(''), '203.0.113.2', T + 9, false)).toBe(false);
    expect(drain(second)).toEqual([]);
  });

  it('discard forgets the changes unwritten (a dry run), the addresses stay known', () => {
    const inst = instance();
    inst.observe(event(''), '203.0.113.1', T, false);
    inst.discard();
    expect(drain(inst)).toEqual([]);
    expect(inst.settled('203.0.113.1')).toBe(true);
    expect(inst.render('203.0.113.1')).toBeDefined();
  });

  it('a corrupt row still makes the address known, quietly', () => {
    const inst = instance();
    inst.restore([{ ip: '203.0.113.9', state: '{not json', lastAt: T }]);
    expect(inst.settled('203.0.113.9')).toBe(true);
    expect(inst.render('203.0.113.9')).toBeUndefined();
  });
});
