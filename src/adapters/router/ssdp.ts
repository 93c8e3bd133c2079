import { createSocket } from 'node:dgram';
import { normalizeIp, parseIp } from '../../net/ip.js';

/** What an Internet Gateway Device said in answer to our M-SEARCH. */
export interface SsdpAnswer {
  readonly location: string;
  readonly st: string;
  readonly usn: string | undefined;
  readonly server: string | undefined;
  /** The address the answer came from. */
  readonly from: string;
}

export interface SsdpOptions {
  readonly timeoutMs: number;
  /** Local IPv4 address to send from (chooses the interface); default: by route. */
  readonly bindAddress?: string | undefined;
  /** Where to send. Only tests change this (to a loopback responder). */
  readonly target?: { readonly host: string; readonly port: number };
  readonly signal?: AbortSignal | undefined;
  /** Which senders count as the LAN; default: private, link-local, unique-local or loopback. */
  readonly isLan?: (address: string) => boolean;
}

/**
 * Home routers answer from a private address. An answer from anywhere else (a public address
 * reaching us through a forwarded port, say) is not the household's router.
 */
export function isLanSource(address: string): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  return ['private', 'linkLocal', 'uniqueLocal', 'loopback'].includes(ip.range());
}

export const SSDP_MULTICAST = { host: '239.255.255.250', port: 1900 } as const;

/** Devices that describe themselves as IGD:2 still answer IGD:1 searches, and the reverse fails. */
export const IGD_SEARCH_TARGETS = [
  'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
  'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
] as const;

const MAX_ANSWERS = 64;

/**
 * Sends one M-SEARCH per search target and collects answers until the timeout. Answers are
 * de-duplicated by LOCATION; only answers from the LAN whose http(s) LOCATION is on the
 * answering host are kept (an answer is just a UDP packet anyone on the LAN can send). Resolves with what arrived, possibly nothing; rejects only when
 * the socket cannot be used at all (no route to the multicast group, bad bind address).
 */
export function discoverGateways(options: SsdpOptions): Promise<SsdpAnswer[]> {
  const target = options.target ?? SSDP_MULTICAST;
  const mx = Math.max(1, Math.min(5, Math.floor(options.timeoutMs / 1000)));
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    const answers = new Map<string, SsdpAnswer>();
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      try {
        socket.close();
      } catch {
        // Already closed.
      }
      if (error) reject(error);
      else resolve([...answers.values()]);
    };
    const onAbort = () => finish();
    const timer = setTimeout(() => finish(), options.timeoutMs);
    if (options.signal?.aborted) {
      finish();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error) => finish(error));
    socket.on('message', (message, rinfo) => {
      if (answers.size >= MAX_ANSWERS) return;
      if (!(options.isLan ?? isLanSource)(rinfo.address)) return;
      const answer = parseSsdpAnswer(message.toString('latin1'), rinfo.address);
      if (answer && !answers.has(answer.location)) answers.set(answer.location, answer);
    });
    socket.bind({ address: options.bindAddress, port: 0 }, () => {
      if (settled) return;
      try {
        if (target.host === SSDP_MULTICAST.host) {
          socket.setMulticastTTL(2);
          if (options.bindAddress) socket.setMulticastInterface(options.bindAddress);
        }
      } catch (error) {
        finish(error as Error);
        return;
      }
      for (const st of IGD_SEARCH_TARGETS) {
        const request = [
          'M-SEARCH * HTTP/1.1',
          `HOST: ${SSDP_MULTICAST.host}:${SSDP_MULTICAST.port}`,
          'MAN: "ssdp:discover"',
          `MX: ${mx}`,
          `ST: ${st}`,
          '',
          '',
        ].join('\r\n');
        socket.send(request, target.port, target.host, (error) => {
          if (error) finish(error);
        });
      }
    });
  });
}

/**
 * Parses an SSDP answer (HTTP/1.1 200 with headers). Undefined for anything else, and for an
 * answer whose LOCATION is not on the host that sent it: any LAN device can send SSDP, and
 * one pointing at another host would make the bot request (and later SOAP-call) a third party.
 * The host must be an IP literal equal to the sender (a name would need a lookup to compare).
 */
export function parseSsdpAnswer(text: string, from: string): SsdpAnswer | undefined {
  if (text.length > 8192) return undefined;
  const lines = text.split(/\r?\n/);
  if (!/^HTTP\/1\.[01] 200\b/i.test(lines[0] ?? '')) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const location = headers.get('location');
  const st = headers.get('st') ?? '';
  if (!location || !IGD_SEARCH_TARGETS.some((t) => t.toLowerCase() === st.toLowerCase())) return undefined;
  try {
    const url = new URL(location);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username || url.password) return undefined;
    const host = normalizeIp(url.hostname.replace(/^\[|\]$/g, ''));
    if (host === undefined || host !== normalizeIp(from)) return undefined;
  } catch {
    return undefined;
  }
  return { location, st, usn: headers.get('usn'), server: headers.get('server'), from };
}
