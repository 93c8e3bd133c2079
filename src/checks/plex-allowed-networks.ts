/**
 * plex-allowed-networks — which networks does Plex let in without any sign-in?
 *
 * Why it matters: `allowedNetworks` ("List of IP addresses and networks that are allowed without
 * auth") grants owner-level access to anyone in those ranges. A public range, or 0.0.0.0/0,
 * hands the server (and its PlexOnlineToken) to the internet; a range wider than the household
 * LAN hands it to neighbours, guests, VPN peers and containers.
 * False positives: a deliberately listed LAN subnet is reported as info only.
 * Fix: Settings > Network > "List of IP addresses and networks that are allowed without auth":
 * keep it empty, or list only a trusted LAN subnet.
 */
import type { FindingDraft } from '../domain/finding.js';
import { plexCheck } from '../exposure/plex-availability.js';
import { prefText, readPrefs } from '../exposure/plex-prefs.js';
import { keyPart, untrustedText } from '../kernel/untrusted-text.js';
import { type Cidr, CidrSet, cidrContains, parseCidr } from '../net/ip.js';
import type { Check } from './types.js';

/** Blocks that never route on the internet; a range inside one of them is "not public". */
const NON_PUBLIC = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
] as const satisfies readonly string[];

const NON_PUBLIC_CIDRS = NON_PUBLIC.map((text) => parseCidr(text)).filter((c): c is Cidr => c !== undefined);

/** Whether every address of `inner` lies in `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrContains(outer, inner.address);
}

function addressCount(cidr: Cidr): string {
  const bits = (cidr.address.kind() === 'ipv4' ? 32 : 128) - cidr.prefix;
  return bits <= 40 ? (2 ** bits).toLocaleString('en-US') : `2^${bits}`;
}

const FIX =
  'Settings > Network > "List of IP addresses and networks that are allowed without auth": remove this entry (leave the list empty unless a trusted LAN subnet truly needs it).';

export const plexAllowedNetworks: Check = plexCheck({
  id: 'plex-allowed-networks',
  title: 'Networks allowed into Plex without sign-in',
  async run(ctx) {
    const prefs = await readPrefs(ctx);
    const raw = prefText(prefs, 'allowedNetworks') ?? '';
    const lan = CidrSet.parse(ctx.config.network.lanCidrs);
    const findings: FindingDraft[] = [];
    for (const entry of raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const shown = untrustedText(entry, 60);
      const cidr = parseCidr(entry);
      if (!cidr) {
        findings.push({
          key: `unparsed:${keyPart(entry)}`,
          severity: 'low',
          title: 'allowedNetworks has an entry the bot cannot read',
          evidence: `allowedNetworks contains "${shown}", which is neither IP, IP/mask nor CIDR; Plex may read it differently`,
          fix: FIX,
        });
        continue;
      }
      const evidence = `allowedNetworks contains ${shown} (${cidr.text}, ${addressCount(cidr)} addresses)`;
      const isPublic = !NON_PUBLIC_CIDRS.some((block) => cidrWithin(cidr, block));
      if (isPublic) {
        const everyone = cidr.prefix === 0;
        findings.push({
          key: `public:${cidr.text}`,
          severity: 'critical',
          title: everyone
            ? 'Plex lets the whole internet in without a password'
            : 'Plex lets a public address range in without a password',
          evidence: `${evidence}: anyone there gets owner access without signing in`,
          fix: FIX,
        });
      } else if (!lan.cidrs.some((net) => cidrWithin(cidr, net))) {
        findings.push({
          key: `wider-than-lan:${cidr.text}`,
          severity: 'high',
          title: 'Plex lets a network beyond the household LAN in without a password',
          evidence: `${evidence}, which is not inside LAN_CIDRS (${lan.cidrs.map((c) => c.text).join(', ')})`,
          fix: FIX,
        });
      } else {
        findings.push({
          key: `lan:${cidr.text}`,
          severity: 'info',
          title: 'Devices on a LAN subnet reach Plex without a password',
          evidence: `${evidence}: any device there (guests, smart TVs, a compromised laptop) gets owner access`,
          fix: 'Fine if intended; otherwise remove the entry so every device signs in.',
        });
      }
    }
    return findings;
  },
});
