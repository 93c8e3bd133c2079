import { EV_CLIENT_ERROR, EV_ROUTINE, type LogEvent } from '../log-event.js';
import { routinePlexProxyRequests } from '../routine-plex-requests.js';
import { clientBehindProxy } from './forwarded.js';
import { classifyHttpStatus } from './http-status.js';
import { hit, type LineParser, type ParserDefinition, type ParserOptions } from './types.js';

interface TraefikEntry {
  ClientHost?: unknown;
  ClientUsername?: unknown;
  DownstreamStatus?: unknown;
  RequestPath?: unknown;
  StartUTC?: unknown;
  time?: unknown;
  'request_X-Forwarded-For'?: unknown;
}

/**
 * Traefik's JSON access log (`accessLog.format: json`), one object per line. Field names as
 * documented (https://doc.traefik.io/traefik/observability/access-logs/, "Limiting the
 * Fields/Including Headers"): `ClientHost` (the connecting address), `ClientUsername` (`-` when
 * no Basic user was sent), `DownstreamStatus`, `RequestPath`, `StartUTC`, and request headers as
 * `request_<Name>` when `fields.headers` keeps them (X-Forwarded-For, believed only when
 * ClientHost is a trusted proxy). Read with JSON.parse: values the client sent stay strings.
 * A 401 without a user name is the challenge before credentials (fail2ban traefik-auth, normal
 * mode), a client error only.
 */
export class TraefikJsonParser implements LineParser {
  readonly hits = new Uint32Array(1);

  constructor(private readonly options: ParserOptions) {}

  parse(text: string, start: number, end: number, ev: LogEvent): boolean {
    if (text.charCodeAt(start) !== 123) return false;
    let entry: TraefikEntry;
    try {
      entry = JSON.parse(Buffer.from(text.slice(start, end), 'latin1').toString('utf8')) as TraefikEntry;
    } catch {
      return false;
    }
    if (typeof entry !== 'object' || entry === null) return false;
    const status = entry.DownstreamStatus;
    const host = entry.ClientHost;
    if (typeof status !== 'number' || typeof host !== 'string' || host === '') return false;
    hit(this.hits, 0);
    ev.status = status;
    const path =
      typeof entry.RequestPath === 'string' ? Buffer.from(entry.RequestPath, 'utf8').toString('latin1') : '';
    ev.setPath(path, 0, path.length);
    if (status >= 400 && status < 500 && routinePlexProxyRequests.matches(path, 0, path.length)) {
      ev.flags = EV_ROUTINE;
    } else {
      classifyHttpStatus(status, ev);
      const user = entry.ClientUsername;
      if (status === 401 && (typeof user !== 'string' || user === '' || user === '-'))
        ev.flags = EV_CLIENT_ERROR;
      if (typeof user === 'string' && user !== '-') ev.user = user;
    }
    if (ev.flags !== 0) {
      const xff = entry['request_X-Forwarded-For'];
      ev.setIpString(
        clientBehindProxy(host, typeof xff === 'string' ? xff : '', this.options.trustedProxies),
      );
      const t = typeof entry.StartUTC === 'string' ? entry.StartUTC : entry.time;
      ev.setTime(typeof t === 'string' ? Date.parse(t) : Number.NaN);
    }
    return true;
  }
}

export const traefikJsonParser = {
  id: 'traefik-json',
  kinds: ['traefik-json'],
  patterns: ['access-entry'],
  create: (options) => new TraefikJsonParser(options),
} as const satisfies ParserDefinition;
