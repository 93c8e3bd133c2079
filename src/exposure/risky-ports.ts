/**
 * Ports that should never be reachable from the internet in a household: Plex's LAN-only
 * discovery ports (plex-reference.md) and common admin/remote-login ports.
 */
export const LAN_ONLY_PORTS = {
  1900: 'SSDP/DLNA discovery',
  5353: 'Bonjour/mDNS',
  8324: 'Plex Roku companion',
  32410: 'Plex GDM discovery',
  32412: 'Plex GDM discovery',
  32413: 'Plex GDM discovery',
  32414: 'Plex GDM discovery',
  32469: 'Plex DLNA server',
} as const satisfies Record<number, string>;

export const ADMIN_PORTS = {
  22: 'SSH',
  23: 'Telnet',
  445: 'SMB file sharing',
  3389: 'Remote Desktop',
  5900: 'VNC',
  8181: 'Tautulli',
  7878: 'Radarr',
  8989: 'Sonarr',
  9696: 'Prowlarr',
  8686: 'Lidarr',
  5000: 'NAS admin (Synology)',
  5001: 'NAS admin (Synology, https)',
  8080: 'web admin / download client',
  9091: 'Transmission',
} as const satisfies Record<number, string>;

export const PLEX_PORT = 32400;

export function portLabel(port: number): string | undefined {
  return (LAN_ONLY_PORTS as Record<number, string>)[port] ?? (ADMIN_PORTS as Record<number, string>)[port];
}
