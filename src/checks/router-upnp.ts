/**
 * router-upnp: audits the home router's UPnP IGD port mappings and NAT-PMP.
 *
 * Why it matters: most households expose Plex (and worse) by accident. With UPnP on, any
 * program on the LAN can open a port on the router without asking anyone, and nobody looks
 * at the table afterwards. This check reads the whole table and flags what is reachable from
 * the internet: the Plex port, LAN-only Plex ports (GDM/DLNA/SSDP amplification), admin and
 * remote-login ports.
 *
 * Known false positives: a mapping Plex itself asked for while remote access is on (reported
 * as medium: it is the intended exposure); game consoles and P2P apps (listed as evidence
 * only). Behind CGNAT or double NAT the mappings do not reach the internet at all.
 *
 * How to fix: switch UPnP off in the router and forward tcp 32400 by hand if remote access is
 * wanted, or delete the listed mappings (`/remote-access off` deletes the Plex ones).
 */

import type { PortMapping } from '../adapters/router/igd-client.js';
import { type PlexTarget, readPlexTarget } from '../adapters/router/plex-target.js';
import type { FindingDraft, Severity } from '../domain/finding.js';
import { lookupPort } from '../exposure/port-catalogue.js';
import { plexPublicAddress } from '../exposure/public-ip.js';
import { type RouterFacts, readRouterFacts } from '../exposure/router-facts.js';
import { parseIp } from '../net/ip.js';
import { isInternetAddress, specialRangeOf } from '../net/special-ranges.js';
import type { Check, CheckContext } from './types.js';

const MAX_LISTED = 25;

export const routerUpnp: Check = {
  id: 'router-upnp',
  title: 'Router UPnP and NAT-PMP',
  async run(ctx: CheckContext): Promise<readonly FindingDraft[]> {
    const facts = await readRouterFacts(ctx);
    const findings: FindingDraft[] = [];
    if (facts.upnpStatus !== 'ok') {
      findings.push(noUpnpFinding(facts));
      if (facts.natPmpExternalIp) findings.push(natPmpOnlyFinding(facts));
      findings.push(...wanFindings(facts));
      return findings;
    }
    const [target, plexIp] = await Promise.all([
      readPlexTarget(ctx.plex, ctx.signal),
      // Plex's view of the public address, to check the router's claim against (a failure here
      // is plex-reachable's to report).
      plexPublicAddress(ctx).catch(() => undefined),
    ]);
    findings.push(upnpOnFinding(facts, target));
    const disagreement = disagreementFinding(facts, plexIp);
    if (disagreement) findings.push(disagreement);
    for (const mapping of facts.mappings) {
      const risky = classify(mapping, target);
      if (risky) findings.push(risky);
    }
    const permanent = facts.mappings.filter((m) => m.leaseSeconds === 0);
    if (permanent.length > 0) {
      findings.push({
        key: 'mappings:no-lease',
        severity: 'low',
        title: `${permanent.length} router port mapping${permanent.length === 1 ? '' : 's'} never expire`,
        evidence: `Mappings with lease 0 stay open until someone deletes them or the router restarts:\n${listLines(permanent, target)}`,
        fix: 'Delete the mappings you do not recognise in the router, or turn UPnP off and forward only what you need by hand.',
      });
    }
    if (facts.walk && facts.walk.stop !== 'end') findings.push(walkFinding(facts));
    findings.push(...wanFindings(facts));
    return findings;
  },
};

function noUpnpFinding(facts: RouterFacts): FindingDraft {
  const natPmp = natPmpLine(facts);
  if (facts.upnpStatus === 'skipped') {
    return {
      key: 'router:skipped',
      severity: 'info',
      title: 'Router UPnP audit skipped',
      evidence: `${facts.error ?? 'not configured'}.${natPmp ? ` ${natPmp}` : ''}`,
      fix: 'Set ROUTER_UPNP_URL to the router description URL, or ROUTER_DISCOVERY=ssdp, to audit the mappings.',
    };
  }
  return {
    key: 'upnp:none',
    severity: 'info',
    title: facts.upnpStatus === 'silent' ? 'No UPnP router answered' : 'The UPnP router could not be read',
    evidence: `${facts.error ?? 'no answer'}.${natPmp ? ` ${natPmp}` : ''} UPnP may be off at the router (good) or discovery may not reach it.`,
    fix:
      facts.upnpStatus === 'silent'
        ? 'Nothing to do if UPnP is off at the router. If it is on, set ROUTER_UPNP_URL so the mappings can be audited.'
        : 'Check ROUTER_UPNP_URL (the description URL `upnpc -l` prints) and that the router answers it.',
  };
}

function natPmpOnlyFinding(facts: RouterFacts): FindingDraft {
  return {
    key: 'natpmp:enabled',
    severity: 'low',
    title: 'The router answers NAT-PMP: any LAN device can open ports',
    evidence: `${natPmpLine(facts)} NAT-PMP cannot list the mappings it made, so they cannot be audited from here.`,
    fix: 'Turn NAT-PMP (and UPnP) off in the router unless something needs it, and check its port-forwarding page.',
  };
}

function upnpOnFinding(facts: RouterFacts, target: PlexTarget): FindingDraft {
  const device = facts.device;
  const name = device?.friendlyName ?? 'the router';
  const walk = facts.walk;
  const table =
    facts.mappings.length === 0
      ? 'No port mappings.'
      : `${facts.mappings.length} port mapping${facts.mappings.length === 1 ? '' : 's'}${walk && walk.stop !== 'end' ? ` (${walk.stop === 'error' ? 'incomplete' : 'capped'})` : ''}:\n${listLines(facts.mappings, target)}`;
  const lines = [
    `${name} answers UPnP at ${device?.descriptionUrl ?? '?'} (${device?.serviceType ?? '?'}, found by ${device?.via === 'url' ? 'ROUTER_UPNP_URL' : 'SSDP'}).`,
    `External IP: ${facts.externalIp ?? 'not reported'}.`,
  ];
  const natPmp = natPmpLine(facts);
  if (natPmp) lines.push(natPmp);
  lines.push(table);
  return {
    key: 'upnp:enabled',
    severity: 'low',
    title: 'UPnP port mapping is on at the router',
    evidence: lines.join('\n'),
    fix: 'Turn UPnP off in the router and forward tcp 32400 by hand if you want remote access; otherwise review the mappings listed.',
  };
}

/**
 * The router's UPnP answer is believed only when Plex or NAT-PMP says the same (AddressScope):
 * any LAN host can answer SSDP and claim an external address, and the household's own address
 * is never blocked. When Plex sees another address, the admin should know why it is not used.
 */
function disagreementFinding(facts: RouterFacts, plexIp: string | undefined): FindingDraft | undefined {
  const routerIp = facts.externalIp;
  if (!routerIp || !plexIp || !isInternetAddress(routerIp) || routerIp === plexIp) return undefined;
  const natPmp =
    facts.natPmpExternalIp === undefined
      ? ''
      : ` NAT-PMP at ${facts.natPmpGateway} reports ${facts.natPmpExternalIp}${facts.natPmpExternalIp === routerIp ? ' (agreeing with UPnP)' : ''}.`;
  return {
    key: 'wan:disagree',
    severity: 'medium',
    title: 'The router and Plex disagree about your public address',
    evidence: `The UPnP device at ${facts.device?.descriptionUrl ?? '?'} reports the external address ${routerIp}; Plex (plex.tv) sees the server connect from ${plexIp}.${natPmp} ${facts.natPmpExternalIp === routerIp ? "NAT-PMP agrees with the router, so its address is treated as this household's own." : "The router's address is not treated as this household's own (not protected from blocking) until Plex or NAT-PMP agrees."}`,
    fix: 'Check that the device answering UPnP is really your router (a LAN device can pretend to be one), and whether a second router or the provider box sits in front of it. If the address changed a moment ago, the next scan clears this.',
  };
}

function natPmpLine(facts: RouterFacts): string | undefined {
  if (facts.natPmpExternalIp) {
    const mismatch =
      facts.externalIp && facts.externalIp !== facts.natPmpExternalIp
        ? ` (UPnP reported ${facts.externalIp}: two NAT layers or two devices answering)`
        : '';
    return `NAT-PMP at ${facts.natPmpGateway} answers with public address ${facts.natPmpExternalIp}${mismatch}.`;
  }
  return undefined;
}

function classify(mapping: PortMapping, target: PlexTarget): FindingDraft | undefined {
  const key = `mapping:${mapping.protocol}:${mapping.externalPort}`;
  const line = describeMapping(mapping, target);
  const entry = lookupPort(mapping.internalPort, mapping.protocol);
  if (entry?.class === 'lan-only') {
    return {
      key,
      severity: 'high',
      title: `LAN-only port ${mapping.protocol} ${mapping.internalPort} (${entry.name}) is forwarded from the internet`,
      evidence: line,
      fix: `Delete this mapping in the router (\`upnpc -d ${mapping.externalPort} ${mapping.protocol}\`) and turn UPnP off; Plex never needs this port forwarded.`,
    };
  }
  if (entry?.class === 'admin' || entry?.class === 'service') {
    return {
      key,
      severity: 'high',
      title: `${entry.name} (port ${mapping.internalPort}) is forwarded from the internet`,
      evidence: line,
      fix: `Delete this mapping in the router (\`upnpc -d ${mapping.externalPort} ${mapping.protocol}\`); reach ${entry.class === 'admin' ? 'admin services' : 'household apps'} through a VPN instead.`,
    };
  }
  const toPlex =
    mapping.protocol === 'TCP' &&
    (target.ports.includes(mapping.internalPort) ||
      (target.publicPorts.includes(mapping.externalPort) && target.hosts.includes(mapping.internalClient)));
  if (toPlex) {
    const severity: Severity = target.remoteAccessEnabled === false ? 'high' : 'medium';
    const state =
      target.remoteAccessEnabled === undefined
        ? 'Plex remote access state unknown (no token or prefs unreadable).'
        : target.remoteAccessEnabled
          ? 'Plex remote access is on (PublishServerOnPlexOnlineKey=1): this is the intended exposure.'
          : 'Plex remote access is OFF (PublishServerOnPlexOnlineKey=0), yet the port is open: someone or something else opened it.';
    return {
      key,
      severity,
      title: `The Plex port is forwarded from the internet (external ${mapping.protocol} ${mapping.externalPort})`,
      evidence: `${line}\n${state}`,
      fix:
        target.remoteAccessEnabled === false
          ? 'Delete the mapping (`/remote-access off` does it) and find what created it; turn UPnP off in the router.'
          : 'If remote access is not needed, use `/remote-access off`; if it is, prefer a manual forward with UPnP off and Secure connections = Required.',
    };
  }
  return undefined;
}

function describeMapping(m: PortMapping, target: PlexTarget): string {
  const notes: string[] = [];
  if (target.hosts.length > 0 && !target.hosts.includes(m.internalClient)) notes.push('other LAN host');
  if (m.leaseSeconds === 0) notes.push('no lease');
  if (m.description === '') notes.push('no description');
  if (!m.enabled) notes.push('disabled');
  if (m.remoteHost !== '') notes.push(`only from ${m.remoteHost}`);
  const description = m.description === '' ? '' : ` "${m.description.slice(0, 60)}"`;
  // The router reports the lease still *remaining*: printing it would change the evidence on
  // every scan and re-alert. Temporary vs permanent is what the admin acts on.
  const lease = m.leaseSeconds === 0 ? 'permanent' : 'temporary (lease)';
  const client = m.internalClient === '' ? '?' : m.internalClient;
  return `${m.protocol} ${m.externalPort} → ${client}:${m.internalPort}${description}, ${lease}${notes.length > 0 ? ` [${notes.join(', ')}]` : ''}`;
}

function listLines(mappings: readonly PortMapping[], target: PlexTarget): string {
  // Sorted: routers may return the table in any order, and the evidence must not flap.
  const sorted = [...mappings].sort(
    (a, b) => a.protocol.localeCompare(b.protocol) || a.externalPort - b.externalPort,
  );
  const shown = sorted.slice(0, MAX_LISTED).map((m) => `- ${describeMapping(m, target)}`);
  if (mappings.length > MAX_LISTED) shown.push(`- … and ${mappings.length - MAX_LISTED} more`);
  return shown.join('\n');
}

function walkFinding(facts: RouterFacts): FindingDraft {
  const walk = facts.walk;
  const why =
    walk?.stop === 'cap'
      ? 'the table has more entries than UPNP_MAX_MAPPINGS'
      : walk?.stop === 'time'
        ? 'reading it took longer than UPNP_WALK_TIMEOUT'
        : `the router failed part way (${facts.error ?? 'error'})`;
  return {
    key: 'walk:capped',
    severity: walk?.stop === 'error' ? 'info' : 'low',
    title: `Router mapping table read only in part (${facts.mappings.length} entries)`,
    // A time-bound stop reads a different number of entries each scan: keep the count out of
    // the evidence then, or every scan would re-alert.
    evidence: `Stopped ${walk?.stop === 'time' ? 'early' : `after ${facts.mappings.length} entries`} with ${walk?.method}: ${why}. Findings cover only what was read.`,
    fix: 'A table this large usually means a program keeps adding mappings: find it, then clear the table (router restart) or raise UPNP_MAX_MAPPINGS.',
  };
}

function wanFindings(facts: RouterFacts): FindingDraft[] {
  const ip = facts.externalIp ?? facts.natPmpExternalIp;
  const parsed = ip ? parseIp(ip) : undefined;
  if (!ip || !parsed) return [];
  const special = specialRangeOf(parsed);
  if (special?.code === 'cgnat') {
    return [
      {
        key: 'wan:cgnat',
        severity: 'info',
        title: 'The router is behind carrier-grade NAT',
        evidence: `The router's WAN address ${ip} is in 100.64.0.0/10 (CGNAT): nothing inbound from the internet reaches the house, so router mappings expose nothing. Plex remote access then only works through the Plex relay.`,
        fix: 'Nothing to fix for exposure. For direct remote streaming, ask the provider for a public IPv4 address.',
      },
    ];
  }
  if (special) {
    return [
      {
        key: 'wan:double-nat',
        severity: 'info',
        title: 'The router sits behind another router (double NAT)',
        evidence: `The router's WAN address ${ip} is not public (${special.code}): another NAT device (ISP modem/router) is in front of it. Mappings here only reach the internet if the outer device forwards too; check that device's port forwards and UPnP as well.`,
        fix: "Audit the outer router too, or put it in bridge mode so only one device's forwards matter.",
      },
    ];
  }
  return [];
}
