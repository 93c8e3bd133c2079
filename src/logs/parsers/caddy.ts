import type { LogEvent } from '../log-event.js';
import { classifyHttpStatus } from './http-status.js';
import { hit, type LineParser, type ParserDefinition } from './types.js';

interface CaddyEntry {
  ts?: unknown;
  status?: unknown;
  request?: { remote_ip?: unknown; client_ip?: unknown; uri?: unknown };
}

/**
 * Caddy's JSON access log (one object per line). Every value an attacker sends sits inside a
 * JSON string where quotes are escaped, so the line is read with JSON.parse and the fields come
 * from their real keys; `client_ip` (the address after trusted proxies) wins over `remote_ip`.
 */
export class CaddyParser implements LineParser {
  readonly hits = new Uint32Array(1);
  parse(text: string, start: number, end: number, ev: LogEvent): boolean {
    if (text.charCodeAt(start) !== 123) return false;
    let entry: CaddyEntry;
    try {
      entry = JSON.parse(Buffer.from(text.slice(start, end), 'latin1').toString('utf8')) as CaddyEntry;
    } catch {
      return false;
    }
    const request = entry.request;
    if (typeof entry.status !== 'number' || typeof request !== 'object' || request === null) return false;
    const ip =
      typeof request.client_ip === 'string' && request.client_ip !== ''
        ? request.client_ip
        : typeof request.remote_ip === 'string'
          ? request.remote_ip
          : '';
    if (ip === '') return false;
    ev.status = entry.status;
    const uri = typeof request.uri === 'string' ? request.uri : '';
    const uriLatin1 = Buffer.from(uri, 'utf8').toString('latin1');
    ev.setPath(uriLatin1, 0, uriLatin1.length);
    classifyHttpStatus(entry.status, ev);
    if (ev.flags !== 0) {
      ev.setIpString(ip);
      ev.setTime(
        typeof entry.ts === 'number'
          ? Math.round(entry.ts * 1000)
          : typeof entry.ts === 'string'
            ? Date.parse(entry.ts)
            : Number.NaN,
      );
    }
    hit(this.hits, 0);
    return true;
  }
}

export const caddyParser = {
  id: 'caddy',
  kinds: ['caddy'],
  patterns: ['access-entry'],
  create: () => new CaddyParser(),
} as const satisfies ParserDefinition;
