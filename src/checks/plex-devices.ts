/**
 * plex-devices — a client device the server has never seen before.
 *
 * Why it matters: every app that signs in to the server (a new phone, a TV, or someone using a
 * stolen token or a shared password) registers a device; a device nobody in the house recognises
 * is the earliest visible sign of an account in the wrong hands.
 * The first scan learns the existing devices quietly. A new device stays reported for a day,
 * then joins the baseline (the alert has done its job; snooze it sooner if it is yours).
 * False positives: a reinstalled app or a browser with cleared storage registers again.
 * Fix: if nobody recognises it, remove it (Settings > Authorized Devices) and change the Plex
 * password with "sign out of all devices".
 */
import * as v from 'valibot';
import type { FindingDraft } from '../domain/finding.js';
import { plexCheck } from '../exposure/plex-availability.js';
import { readDevices } from '../exposure/plex-resources.js';
import { keyPart, untrustedText } from '../kernel/untrusted-text.js';
import type { Check } from './types.js';

/** How long a new device is reported before it joins the baseline. */
export const NEW_DEVICE_WINDOW_MS = 24 * 3_600_000;

const DeviceBaselineSchema = v.object({
  /** device key (clientIdentifier, or `id:<n>` on older servers) → epoch ms first seen by the bot (0 = learned with the first scan). */
  seen: v.record(v.string(), v.number()),
});

export const plexDevices: Check = plexCheck({
  id: 'plex-devices',
  title: 'New client devices on the Plex server',
  async run(ctx) {
    const devices = await readDevices(ctx);
    const now = ctx.clock.now();
    const baseline = ctx.state.get('baseline', DeviceBaselineSchema);
    if (!baseline) {
      ctx.state.set('baseline', { seen: Object.fromEntries(devices.map((d) => [d.key, 0])) });
      ctx.logger.info('device baseline learned', { devices: devices.length });
      return [];
    }
    const seen = { ...baseline.seen };
    const findings: FindingDraft[] = [];
    for (const device of devices) {
      const firstSeen = seen[device.key] ?? now;
      seen[device.key] = firstSeen;
      if (firstSeen === 0 || now - firstSeen >= NEW_DEVICE_WINDOW_MS) continue;
      const created =
        device.createdAt !== undefined ? new Date(device.createdAt * 1_000).toISOString() : 'unknown';
      findings.push({
        key: `new:${keyPart(device.key)}`,
        severity: 'medium',
        title: `New device on the Plex server: ${untrustedText(device.name, 40)}`,
        evidence: `name=${untrustedText(device.name)}, platform=${untrustedText(device.platform, 40)}, createdAt=${created}, first seen by the bot ${new Date(firstSeen).toISOString()}`,
        fix: 'If nobody in the house recognises it: remove it under Settings > Authorized Devices and change the Plex password (sign out of all devices).',
      });
    }
    ctx.state.set('baseline', { seen });
    return findings;
  },
});
