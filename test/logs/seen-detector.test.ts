import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { firstSeenRemote } from '../../src/logs/detectors/first-seen-remote.js';
import type { DetectorInstance, StateRow } from '../../src/logs/detectors/types.js';
import { EV_SUCCESS, LogEvent } from '../../src/logs/log-event.js';

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

describe('first-seen keys IPv6 by its LOG_IPV6_PREFIX network', () => {
  const T = Date.UTC(2026, 10, 25, 19, 30);

  it('stays quiet for a new address of a /64 learned during the first pass', () => {
    const changed: string[] = [];
    const d = firstSeenRemote.create({
      source: { id: 'sshd', kind: 'sshd', path: '/var/log/auth.log' },
      settings: config.logs.settings.sshd,
      maxTracked: 100,
      changed: (key) => changed.push(key),
    });
    const ev = event('');
    ev.flags = EV_SUCCESS;
    expect(d.observe(ev, '2001:470:1f0b:1a::1', T, true)).toBe(false);
    expect(d.settled('2001:470:1f0b:1a::2')).toBe(true);
    expect(d.settled('2001:470:1f0b:1b::1')).toBe(false);
    expect(d.observe(ev, '2001:470:1f0b:1b::1', T, false)).toBe(false);
    expect(changed).toEqual(['2001:470:1f0b:1b::/64']);
    expect(d.render('2001:470:1f0b:1b::1'), 'rendered under the network only').toBeUndefined();
    expect(d.render('2001:470:1f0b:1b::/64')?.severity).toBe('high');
    expect(d.render('2001:470:1f0b:1a::/64'), 'learned quietly').toBeUndefined();
  });
});
