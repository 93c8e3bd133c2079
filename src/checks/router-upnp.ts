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
import { type RouterFacts, readRouterFacts } from '../exposure/router-facts.js';
import { isCgnat, parseIp } from '../net/ip.js';
import type { Check, CheckContext } from './types.js';

type Proto = 'TCP' | 'UDP' | 'any';

/** Plex ports meant for the LAN only (plex-reference.md, "Ports"). */
export const LAN_ONLY_PLEX_PORTS = [
  { from: 1900, to: 1900, protocol: 'UDP', name: 'DLNA/SSDP discovery (DDoS amplification)' },
  { from: 5353, to: 5353, protocol: 'UDP', name: 'Bonjour/mDNS' },
  { from: 8324, to: 8324, protocol: 'TCP', name: 'Plex Roku companion' },
  { from: 32410, to: 32414, protocol: 'UDP', name: 'Plex GDM discovery (DDoS amplification)' },
  { from: 32469, to: 32469, protocol: 'TCP', name: 'Plex DLNA server (no authentication)' },
] as const satisfies readonly { from: number; to: number; protocol: Proto; name: string }[];

/** Admin, remote-login and household-service ports that should never face the internet. */
export const ADMIN_PORTS = [
  { port: 21, protocol: 'TCP', name: 'FTP' },
  { port: 22, protocol: 'TCP', name: 'SSH' },
  { port: 23, protocol: 'TCP', name: 'Telnet' },
  { port: 80, protocol: 'TCP', name: 'HTTP (router or NAS admin)' },
  { port: 139, protocol: 'TCP', name: 'NetBIOS/SMB' },
  { port: 443, protocol: 'TCP', name: 'HTTPS (router or NAS admin)' },
  { port: 445, protocol: 'TCP', name: 'SMB file sharing' },
  { port: 2375, protocol: 'TCP', name: 'Docker API (unauthenticated)' },
  { port: 3389, protocol: 'any', name: 'Remote Desktop' },
  { port: 5000, protocol: 'TCP', name: 'NAS admin (Synology DSM)' },
  { port: 5001, protocol: 'TCP', name: 'NAS admin (Synology DSM, https)' },
  { port: 5900, protocol: 'TCP', name: 'VNC' },
  { port: 7878, protocol: 'TCP', name: 'Radarr' },
  { port: 8080, protocol: 'TCP', name: 'HTTP alternative (admin panels)' },
  { port: 8181, protocol: 'TCP', name: 'Tautulli' },
  { port: 8443, protocol: 'TCP', name: 'HTTPS alternative (admin panels)' },
  { port: 8989, protocol: 'TCP', name: 'Sonarr' },
  { port: 9090, protocol: 'TCP', name: 'Cockpit/Prometheus' },
  { port: 9117, protocol: 'TCP', name: 'Jackett' },
  { port: 9696, protocol: 'TCP', name: 'Prowlarr' },
] as const satisfies readonly { port: number; protocol: Proto; name: string }[];

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
    const target = await readPlexTarget(ctx.plex, ctx.signal);
    findings.push(upnpOnFinding(facts, target));
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
  const lanOnly = LAN_ONLY_PLEX_PORTS.find(
    (p) => mapping.internalPort >= p.from && mapping.internalPort <= p.to && p.protocol === mapping.protocol,
  );
  if (lanOnly) {
    return {
      key,
      severity: 'high',
      title: `LAN-only port ${mapping.protocol} ${mapping.internalPort} (${lanOnly.name}) is forwarded from the internet`,
      evidence: line,
      fix: `Delete this mapping in the router (\`upnpc -d ${mapping.externalPort} ${mapping.protocol}\`) and turn UPnP off; Plex never needs this port forwarded.`,
    };
  }
  const admin = ADMIN_PORTS.find(
    (p) => p.port === mapping.internalPort && (p.protocol === 'any' || p.protocol === mapping.protocol),
  );
  if (admin) {
    return {
      key,
      severity: 'high',
      title: `${admin.name} (port ${mapping.internalPort}) is forwarded from the internet`,
      evidence: line,
      fix: `Delete this mapping in the router (\`upnpc -d ${mapping.externalPort} ${mapping.protocol}\`); reach admin services through a VPN instead.`,
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
  if (isCgnat(parsed)) {
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
  const range = parsed.range();
  if (range !== 'unicast') {
    return [
      {
        key: 'wan:double-nat',
        severity: 'info',
        title: 'The router sits behind another router (double NAT)',
        evidence: `The router's WAN address ${ip} is not public (${range}): another NAT device (ISP modem/router) is in front of it. Mappings here only reach the internet if the outer device forwards too; check that device's port forwards and UPnP as well.`,
        fix: "Audit the outer router too, or put it in bridge mode so only one device's forwards matter.",
      },
    ];
  }
  return [];
}
