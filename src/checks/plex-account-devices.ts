/**
 * plex-account-devices — every device signed in to the plex.tv account that owns the server.
 *
 * Why it matters: each signed-in device holds a token that opens the whole account (its server,
 * its shares, its settings). A device nobody recognises is the clearest sign of a stolen password
 * or token; after plex.tv's 2022 breach owners were told to sign out every device. Old sign-ins
 * nobody uses are tokens lying around for nothing.
 * Reads `https://plex.tv/devices.xml` (python-plexapi plexapi/myplex.py, MyPlexDevice: name,
 * product, platform, createdAt, lastSeenAt, publicAddress, token). The tokens are dropped by the
 * parser (adapters/plex/plex-tv-account.ts): never stored, logged or shown.
 * The first scan learns the list quietly. A new device is reported (medium, with a sign-out
 * proposal) for a day or until it is gone, then joins the list. Devices not seen for
 * DEVICE_STALE_AFTER are listed in one low finding.
 * False positives: a reinstalled app or a browser with cleared storage signs in as a new device.
 * Fix: sign out what nobody recognises (approve the proposal, or plex.tv > Authorized Devices)
 * and change the password with "sign out connected devices".
 */

import * as v from 'valibot';
import type { AccountDevice } from '../adapters/plex/plex-tv-account.js';
import type { AddressFactsLookup } from '../domain/address-facts.js';
import type { FindingDraft } from '../domain/finding.js';
import { requireOwner } from '../exposure/plex-account.js';
import { formatDuration } from '../kernel/duration.js';
import { keyPart, untrustedText } from '../kernel/untrusted-text.js';
import { addressLabel } from '../net/address-label.js';
import type { Check } from './types.js';

/** How long a new device is reported before it joins the learned list. */
export const NEW_ACCOUNT_DEVICE_WINDOW_MS = 24 * 3_600_000;
/** Names listed in the stale finding; the rest are counted (one embed field stays short). */
const MAX_STALE_LISTED = 15;

const AccountDeviceBaselineSchema = v.object({
  /** plex.tv device id → epoch ms first seen by the bot (0 = learned with the first scan). */
  seen: v.record(v.string(), v.number()),
});

const when = (ms: number | undefined) => (ms === undefined ? 'unknown' : new Date(ms).toISOString());

function describe(device: AccountDevice, facts: AddressFactsLookup | undefined): string {
  const address =
    device.publicAddress === '' ? 'unknown' : addressLabel(untrustedText(device.publicAddress, 45), facts);
  return [
    `name=${untrustedText(device.name, 60)}`,
    `product=${untrustedText(device.product, 40)}`,
    `platform=${untrustedText(device.platform, 40)}`,
    `created ${when(device.createdAt)}`,
    `last seen ${when(device.lastSeenAt)}`,
    `public address ${address}`,
  ].join(', ');
}

export const plexAccountDevices: Check = {
  id: 'plex-account-devices',
  title: 'Devices signed in to the Plex account',
  async run(ctx) {
    await requireOwner(ctx);
    const devices = await ctx.plexTv.devices(ctx.signal);
    const now = ctx.clock.now();
    const baseline = ctx.state.get('baseline', AccountDeviceBaselineSchema);
    if (!baseline) {
      ctx.state.set('baseline', { seen: Object.fromEntries(devices.map((d) => [d.id, 0])) });
      ctx.logger.info('account device list learned', { devices: devices.length });
      return [];
    }
    // Devices signed out since are dropped from the list: signing in again is new again.
    const seen: Record<string, number> = {};
    const findings: FindingDraft[] = [];
    const fresh = new Set<string>();
    for (const device of devices) {
      const firstSeen = baseline.seen[device.id] ?? now;
      seen[device.id] = firstSeen;
      if (firstSeen === 0 || now - firstSeen >= NEW_ACCOUNT_DEVICE_WINDOW_MS) continue;
      fresh.add(device.id);
      // The bot's own sign-in: signing it out would revoke the token the bot runs on.
      if (device.clientIdentifier === ctx.plexTv.clientIdentifier) continue;
      const name = untrustedText(device.name, 40);
      findings.push({
        key: `new:${keyPart(device.id)}`,
        severity: 'medium',
        title: `New device signed in to the Plex account: ${name}`,
        evidence: `${describe(device, ctx.addressFacts)}; first seen by the bot ${new Date(firstSeen).toISOString()}.`,
        fix: 'If nobody in the house recognises it: approve the sign-out proposal (or plex.tv > Authorized Devices), then change the Plex password with "sign out connected devices".',
        action: { kind: 'sign-out-device', deviceId: device.id, name },
      });
    }
    ctx.state.set('baseline', { seen });
    const staleAfter = ctx.config.exposure.deviceStaleAfterMs;
    const stale = devices
      .filter((d) => !fresh.has(d.id) && d.lastSeenAt !== undefined && now - d.lastSeenAt >= staleAfter)
      .sort((a, b) => (a.lastSeenAt ?? 0) - (b.lastSeenAt ?? 0));
    if (stale.length > 0) {
      const listed = stale
        .slice(0, MAX_STALE_LISTED)
        .map(
          (d) =>
            `${untrustedText(d.name, 40)} (${untrustedText(d.product, 30)}, last seen ${when(d.lastSeenAt).slice(0, 10)})`,
        );
      const more = stale.length > MAX_STALE_LISTED ? `, and ${stale.length - MAX_STALE_LISTED} more` : '';
      findings.push({
        key: 'stale',
        severity: 'low',
        title: `${stale.length} device${stale.length === 1 ? '' : 's'} signed in but unused: sign them out`,
        evidence: `Not seen for ${formatDuration(staleAfter)} or more (DEVICE_STALE_AFTER): ${listed.join('; ')}${more}.`,
        fix: 'Sign them out at plex.tv > Authorized Devices (or /devices): each still holds a working token.',
      });
    }
    return findings;
  },
};
