import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NEW_ADDRESS_WINDOW_MS, plexSessions, STOP_REASON } from '../../src/checks/plex-sessions.js';
import { ExposureLab, keysOf } from '../harness/exposure-lab.js';
import { ManualClock } from '../harness/manual-clock.js';

const session = (user: { id: number; title: string }, address: string, local: boolean, extra = {}) => ({
  title: 'Movie',
  User: user,
  Player: {
    address,
    local: local ? 1 : 0,
    relayed: 0,
    secure: 1,
    product: 'Plex Web',
    platform: 'Chrome',
    ...extra,
  },
  Session: { id: `s-${address}`, location: local ? 'lan' : 'wan', bandwidth: 4000 },
});

describe('plex-sessions', () => {
  let lab: ExposureLab;
  let clock: ManualClock;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
    clock = new ManualClock();
    lab.open([plexSessions], {}, { clock });
  });
  afterEach(() => lab.stop());

  const friend = { id: 7, title: 'friend' };

  it('ignores LAN streams and learns remote addresses of the first scan quietly (info)', async () => {
    lab.plex.state.sessions = [
      session({ id: 1, title: 'owner' }, '::ffff:192.168.1.50', true),
      session(friend, '::ffff:198.51.100.4', false),
    ];
    const result = await lab.scan([plexSessions]);
    expect(keysOf(result.findings)).toEqual([['remote:198.51.100.4_7', 'info']]);
    expect(result.findings[0]?.evidence).toContain('address=198.51.100.4');
  });

  it('flags a remote stream from an address never seen before, once, while it lasts', async () => {
    await lab.scan([plexSessions]);
    lab.plex.state.sessions = [
      session({ id: 1, title: 'owner' }, '203.0.113.99', false, {
        remotePublicAddress: '203.0.113.99',
        secure: 0,
      }),
    ];
    clock.advance(60_000);
    const first = await lab.scan([plexSessions]);
    expect(first.findings).toEqual([
      expect.objectContaining({
        key: 'new-address:203.0.113.99_1',
        severity: 'medium',
        evidence: expect.stringContaining('user=owner (the owner account), address=203.0.113.99'),
      }),
    ]);
    expect(first.findings[0]?.evidence).toContain('secure=0');
    clock.advance(10 * 60_000);
    const second = await lab.scan([plexSessions]);
    expect(second.changes.opened).toEqual([]);
    expect(second.changes.resolved).toEqual([]);
    lab.plex.state.sessions = [];
    const stopped = await lab.scan([plexSessions]);
    expect(stopped.changes.resolved.map((f) => f.key)).toEqual(['new-address:203.0.113.99_1']);
    clock.advance(NEW_ADDRESS_WINDOW_MS);
    lab.plex.state.sessions = [session({ id: 1, title: 'owner' }, '203.0.113.99', false)];
    expect(keysOf((await lab.scan([plexSessions])).findings)).toEqual([['remote:203.0.113.99_1', 'info']]);
  });

  it('suggests stopping a remote stream by its session id, with the reason the viewer will read', async () => {
    lab.plex.state.sessions = [session(friend, '198.51.100.4', false)];
    const [finding] = (await lab.scan([plexSessions])).findings;
    expect(finding?.action).toEqual({
      kind: 'stop-stream',
      sessionId: 's-198.51.100.4',
      user: 'friend',
      address: '198.51.100.4',
      reason: STOP_REASON,
    });
  });

  it('suggests nothing to stop when Plex gave no session id', async () => {
    const { Session: _dropped, ...noId } = session(friend, '198.51.100.4', false);
    lab.plex.state.sessions = [noId];
    const [finding] = (await lab.scan([plexSessions])).findings;
    expect(finding?.key).toBe('remote:198.51.100.4_7');
    expect(finding?.action).toBeUndefined();
  });

  it("trusts Plex's own LAN verdict for a public player address (the recorded LAN session shape)", async () => {
    await lab.scan([plexSessions]);
    // home-assistant/core tests/components/plex/fixtures/session_base.xml: Player address="1.2.3.11"
    // local="1" remotePublicAddress="10.20.30.40", Session location="lan".
    lab.plex.state.sessions = [
      {
        ...session(friend, '1.2.3.11', true, { remotePublicAddress: '10.20.30.40' }),
        Session: { id: 'session_id_1', location: 'lan', bandwidth: 7000 },
      },
    ];
    clock.advance(1_000);
    expect((await lab.scan([plexSessions])).findings).toEqual([]);
  });

  it('never reads remotePublicAddress as the stream address: a LAN player carrying it is not remote', async () => {
    await lab.scan([plexSessions]);
    lab.plex.state.sessions = [
      session({ id: 1, title: 'owner' }, '192.168.1.50', true, { remotePublicAddress: '198.51.100.200' }),
    ];
    clock.advance(1_000);
    expect((await lab.scan([plexSessions])).findings).toEqual([]);
  });

  it('reports a WAN session from a public address, showing the plex.tv public address when it differs', async () => {
    await lab.scan([plexSessions]);
    lab.plex.state.sessions = [
      session(friend, '198.51.100.77', false, { remotePublicAddress: '198.51.100.78' }),
    ];
    clock.advance(1_000);
    const result = await lab.scan([plexSessions]);
    expect(keysOf(result.findings)).toEqual([['new-address:198.51.100.77_7', 'medium']]);
    expect(result.findings[0]?.evidence).toContain('public address per plex.tv=198.51.100.78, location=wan');
  });

  it('falls back to the flags when a session has no address', async () => {
    await lab.scan([plexSessions]);
    const lanNoAddress = session(friend, '', true);
    const wanNoAddress = session({ id: 8, title: 'other' }, '', false);
    lab.plex.state.sessions = [lanNoAddress, wanNoAddress];
    clock.advance(1_000);
    expect(keysOf((await lab.scan([plexSessions])).findings)).toEqual([['new-address:unknown_8', 'medium']]);
  });
});

describe('plex-sessions address rules', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  it('does not call a Docker bridge or another home VLAN remote, even when Plex says WAN', async () => {
    lab.open([plexSessions], {}, { clock: new ManualClock() });
    await lab.scan([plexSessions]);
    lab.plex.state.sessions = [
      session({ id: 3, title: 'kid' }, '172.17.0.5', false),
      session({ id: 4, title: 'guest' }, '::ffff:10.20.0.8', false),
    ];
    expect((await lab.scan([plexSessions])).findings).toEqual([]);
  });
});
