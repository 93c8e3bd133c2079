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

describe('first-seen state in a dry run', () => {
  const T = Date.UTC(2026, 10, 25, 19, 30, 12, 345);

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
