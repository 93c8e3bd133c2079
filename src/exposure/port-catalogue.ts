/**
 * The one table of ports the outside view rates: router-upnp (UPnP mappings), public-footprint
 * (InternetDB) and exposed-services all read it, so a port cannot be high in one and unremarked
 * in another.
 *
 * Classes: `plex` is the one port Plex needs forwarded; `lan-only` are Plex's local ports that
 * must never be forwarded; `admin` are remote-login and administration ports; `service` are
 * household apps with weak or no authentication. Everything but `plex` facing the internet is
 * rated high.
 *
 * Deliberately absent: 80 and 443. A household forwarding them usually runs a website or the
 * reverse proxy behind Plex's custom URL on purpose; the port number alone cannot tell.
 */
export type PortClass = 'plex' | 'lan-only' | 'admin' | 'service';
export type PortProtocol = 'TCP' | 'UDP' | 'any';

export interface CataloguedPort {
  readonly port: number;
  readonly protocol: PortProtocol;
  readonly name: string;
  readonly class: PortClass;
}

// Plex ports: "What network ports do I need to allow through my firewall?",
// https://support.plex.tv/articles/201543147-what-network-ports-do-i-need-to-allow-through-my-firewall/
// (32400/tcp required; the others "used within the local network", and Plex "very strongly
// recommend that you do not allow any of these additional ports" through or forwarded).
const PLEX = [
  { port: 32400, protocol: 'TCP', name: 'Plex', class: 'plex' },
  { port: 1900, protocol: 'UDP', name: 'SSDP/DLNA discovery (DDoS amplification)', class: 'lan-only' },
  { port: 5353, protocol: 'UDP', name: 'Bonjour/mDNS', class: 'lan-only' },
  { port: 8324, protocol: 'TCP', name: 'Plex Roku companion', class: 'lan-only' },
  { port: 32410, protocol: 'UDP', name: 'Plex GDM discovery (DDoS amplification)', class: 'lan-only' },
  { port: 32412, protocol: 'UDP', name: 'Plex GDM discovery (DDoS amplification)', class: 'lan-only' },
  { port: 32413, protocol: 'UDP', name: 'Plex GDM discovery (DDoS amplification)', class: 'lan-only' },
  { port: 32414, protocol: 'UDP', name: 'Plex GDM discovery (DDoS amplification)', class: 'lan-only' },
  { port: 32469, protocol: 'TCP', name: 'Plex DLNA server (no authentication)', class: 'lan-only' },
] as const satisfies readonly CataloguedPort[];

// Remote login and administration. Port numbers from the IANA Service Name and Transport
// Protocol Port Number Registry, https://www.iana.org/assignments/service-names-port-numbers/
// (ftp 21, ssh 22, telnet 23, netbios-ssn 139, microsoft-ds 445, docker 2375, ms-wbt-server
// 3389, rfb 5900, http-alt 8080), unless noted.
const ADMIN = [
  { port: 21, protocol: 'TCP', name: 'FTP', class: 'admin' },
  { port: 22, protocol: 'TCP', name: 'SSH', class: 'admin' },
  { port: 23, protocol: 'TCP', name: 'Telnet', class: 'admin' },
  { port: 139, protocol: 'TCP', name: 'NetBIOS/SMB', class: 'admin' },
  { port: 445, protocol: 'TCP', name: 'SMB file sharing', class: 'admin' },
  // Docker daemon without TLS: https://docs.docker.com/engine/security/protect-access/
  { port: 2375, protocol: 'TCP', name: 'Docker API (unauthenticated)', class: 'admin' },
  { port: 3389, protocol: 'any', name: 'Remote Desktop', class: 'admin' },
  // DSM web ports: https://kb.synology.com/en-global/DSM/tutorial/What_network_ports_are_used_by_Synology_services
  { port: 5000, protocol: 'TCP', name: 'NAS admin (Synology DSM)', class: 'admin' },
  { port: 5001, protocol: 'TCP', name: 'NAS admin (Synology DSM, https)', class: 'admin' },
  { port: 5900, protocol: 'TCP', name: 'VNC', class: 'admin' },
  { port: 8080, protocol: 'TCP', name: 'HTTP alternative (admin panels, download clients)', class: 'admin' },
  // UniFi Network application and other admin panels: https://help.ui.com/hc/en-us/articles/218506997
  { port: 8443, protocol: 'TCP', name: 'HTTPS alternative (admin panels)', class: 'admin' },
  // Cockpit listens on 9090: https://cockpit-project.org/guide/latest/listen
  { port: 9090, protocol: 'TCP', name: 'Cockpit/Prometheus', class: 'admin' },
] as const satisfies readonly CataloguedPort[];

// Household apps, default ports from each project's documentation.
const SERVICES = [
  // Radarr, Sonarr, Lidarr, Prowlarr defaults: https://wiki.servarr.com/
  { port: 7878, protocol: 'TCP', name: 'Radarr', class: 'service' },
  { port: 8989, protocol: 'TCP', name: 'Sonarr', class: 'service' },
  { port: 8686, protocol: 'TCP', name: 'Lidarr', class: 'service' },
  { port: 9696, protocol: 'TCP', name: 'Prowlarr', class: 'service' },
  // Tautulli's default HTTP port: https://github.com/Tautulli/Tautulli/wiki/Installation
  { port: 8181, protocol: 'TCP', name: 'Tautulli', class: 'service' },
  // rpc-port default 9091: https://github.com/transmission/transmission/blob/main/docs/Editing-Configuration-Files.md
  { port: 9091, protocol: 'TCP', name: 'Transmission', class: 'service' },
  // Jackett's default port: https://github.com/Jackett/Jackett#installation-on-linux-amdx64
  { port: 9117, protocol: 'TCP', name: 'Jackett', class: 'service' },
] as const satisfies readonly CataloguedPort[];

export const PORT_CATALOGUE: readonly CataloguedPort[] = [...PLEX, ...ADMIN, ...SERVICES];

export const PLEX_PORT = 32400;

/**
 * The catalogue entry for a port; `protocol` narrows it when the source knows (router mappings
 * do; InternetDB lists port numbers only, so any protocol matches).
 */
export function lookupPort(port: number, protocol?: string): CataloguedPort | undefined {
  const proto = protocol?.toUpperCase();
  return PORT_CATALOGUE.find(
    (p) => p.port === port && (proto === undefined || p.protocol === 'any' || p.protocol === proto),
  );
}

/** Must never face the internet: everything catalogued but Plex's own port. */
export function isRiskyPort(entry: CataloguedPort | undefined): entry is CataloguedPort {
  return entry !== undefined && entry.class !== 'plex';
}

/** `9091 (Transmission)`, or the bare number for a port the catalogue does not know. */
export function describePort(port: number, protocol?: string): string {
  const entry = lookupPort(port, protocol);
  return entry ? `${port} (${entry.name})` : String(port);
}
