import { parseIp } from '../net/ip.js';
import { EXPOSURE } from './keys/index.js';
import type { EnvReader } from './reader.js';

/** A household service that must stay on the LAN (Tautulli, an *arr app, SSH, the router's admin page). */
export interface ExposedService {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** An https endpoint whose certificate is watched: `host` is what the name on the certificate must match. */
export interface TlsEndpoint {
  readonly host: string;
  readonly port: number;
  /** `host:port`, used in finding keys and evidence. */
  readonly label: string;
}

export interface ExposureConfig {
  /** Shodan InternetDB base URL. */
  readonly internetDbUrl: string;
  /** Whether whois asks InternetDB about a public address (the address goes to Shodan). */
  readonly whoisInternetDb: boolean;
  /** Bound on one outside call (plex.tv, InternetDB, one TLS handshake). */
  readonly outsideTimeoutMs: number;
  readonly tlsEndpoints: readonly TlsEndpoint[];
  /** Extra CA certificates (PEM file) trusted by tls-certificates besides the system store. */
  readonly tlsCaFile: string | undefined;
  readonly exposedServices: readonly ExposedService[];
  /** Bound on one TCP connect to a household service. */
  readonly serviceProbeTimeoutMs: number;
  /** A critical finding is posted again after this long while it stays open. */
  readonly criticalRenotifyMs: number;
  /** plex-account-devices: a device signed in to the account but unused this long is listed (low). */
  readonly deviceStaleAfterMs: number;
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function validHost(host: string): boolean {
  return parseIp(host) !== undefined || (host.length <= 253 && HOST.test(host));
}

/** `host:port`, `[v6]:port` or an https URL (port 443 when absent). */
export function parseTlsEndpoint(text: string): TlsEndpoint | undefined {
  const raw = text.trim();
  let host: string;
  let port: number;
  if (/^[a-z]+:\/\//i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return undefined;
    }
    if (url.protocol !== 'https:' || url.username || url.password) return undefined;
    host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    port = url.port === '' ? 443 : Number(url.port);
  } else {
    const match = /^(?:\[([^\]]+)\]|([^:/\s]+)):(\d{1,5})$/.exec(raw);
    if (!match) return undefined;
    host = match[1] ?? match[2] ?? '';
    port = Number(match[3]);
  }
  if (!validHost(host) || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  const label = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, label };
}

/** `name=host:port`; the name is a short label of letters, digits, `-` and `_`. */
export function parseExposedService(text: string): ExposedService | undefined {
  const match = /^([A-Za-z0-9_-]{1,32})=(?:\[([^\]]+)\]|([^:=\s]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const host = match[2] ?? match[3] ?? '';
  const port = Number(match[4]);
  if (!validHost(host) || port < 1 || port > 65_535) return undefined;
  return { name: match[1] ?? '', host, port };
}

/** Every value of this section is read as is: the table's `field`s make the whole object. */
export function readExposureConfig(r: EnvReader): ExposureConfig {
  return r.fields(EXPOSURE);
}
