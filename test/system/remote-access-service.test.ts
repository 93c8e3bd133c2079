import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { RemoteAccessOutcome, RemoteAccessStatus } from '../../src/actions/remote-access-port.js';
import { LAB, RouterLab } from '../harness/router-lab.js';
import { describeSystem } from '../harness/system-gate.js';

const PROBE = resolve('test/harness/router-probe.ts');

describeSystem(
  'remote access switched off against a real miniupnpd in namespaces',
  ['miniupnpd', 'upnpc', 'nft', 'ip'],
  () => {
    let lab: RouterLab;

    beforeAll(async () => {
      lab = new RouterLab('ra');
      await lab.startMiniupnpd();
    });
    afterAll(() => {
      lab?.cleanup();
    });
    beforeEach(() => {
      // What Plex (or anything on the LAN) asked the router for, plus an unrelated mapping.
      lab.upnpc(['-e', 'Plex Media Server', '-a', LAB.lanHost, '32400', '32400', 'TCP', '7200']);
      lab.upnpc(['-e', 'Transmission', '-a', LAB.lanHost, '51413', '51413', 'TCP', '7200']);
    });

    it('turnOff: the preference is off, the Plex mapping is gone, the outcome lines say so', async () => {
      const out = await lab.runScript<{
        outcome: RemoteAccessOutcome;
        status: RemoteAccessStatus;
        pref: unknown;
      }>(lab.lan, PROBE, {
        op: 'remote-access',
        scenario: 'off',
        env: { ROUTER_DISCOVERY: 'ssdp', ROUTER_DISCOVERY_TIMEOUT: '1s' },
      });
      expect(out.pref).toBe(false);
      expect(out.outcome.ok).toBe(true);
      expect(out.outcome.lines).toEqual(
        expect.arrayContaining([
          'Plex: PublishServerOnPlexOnlineKey set to 0 (remote access off).',
          `Router: deleted mapping TCP 32400 → ${LAB.lanHost}:32400 "Plex Media Server".`,
          'Verified: Plex reports PublishServerOnPlexOnlineKey=0.',
          'Verified: no UPnP mapping to Plex remains on the router.',
          expect.stringContaining('Still open: Plex Relay is on'),
        ]),
      );
      expect(out.status.enabled).toBe(false);
      // Cross-check with the reference client on the same daemon.
      const listed = lab.upnpc(['-l']);
      expect(listed).not.toMatch(/TCP\s+32400->/);
      expect(listed).toMatch(/TCP\s+51413->192\.168\.77\.10:51413/);
    });

    it('on for 1 hour switches off by itself after a simulated restart, mapping included', async () => {
      const out = await lab.runScript<{
        on: RemoteAccessOutcome;
        prefWhileOn: unknown;
        status: RemoteAccessStatus;
        pref: unknown;
      }>(lab.lan, PROBE, {
        op: 'remote-access',
        scenario: 'on-for-then-restart',
        env: { ROUTER_UPNP_URL: lab.descriptionUrl },
      });
      expect(out.on.ok).toBe(true);
      expect(out.prefWhileOn).toBe(true);
      expect(out.on.lines).toContain('Switches off automatically at 2026-01-01T13:00:00.000Z (in 1h).');
      expect(out.pref).toBe(false);
      expect(out.status.offAt).toBeUndefined();
      expect(out.status.lines).toContain('Router: no UPnP mapping to Plex.');
      expect(lab.upnpc(['-l'])).not.toMatch(/TCP\s+32400->/);
    });
  },
);
