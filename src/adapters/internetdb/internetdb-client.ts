import type { Dispatcher } from 'undici';
import * as v from 'valibot';
import { ServiceError } from '../../kernel/errors.js';
import { httpRequest, parseJsonBody } from '../../kernel/http-request.js';

/** What Shodan InternetDB says about one IPv4 address. It carries no crawl date. */
export type InternetDbResult =
  | ({ readonly kind: 'indexed'; readonly ip: string } & InternetDbEntry)
  /** 404: never indexed. Not the same as "nothing open". */
  | { readonly kind: 'not-indexed'; readonly ip: string }
  | { readonly kind: 'rate-limited'; readonly ip: string }
  | { readonly kind: 'error'; readonly ip: string; readonly message: string };

export interface InternetDbClientOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly dispatcher?: Dispatcher;
}

const SERVICE = 'InternetDB';
/** An answer lists ports and a few names; even a busy host's fits well within this. */
const MAX_BODY = 2 * 1024 * 1024;

/** At most `max` strings, each cut to 200 characters: the answer is someone else's text. */
const strings = (max = 100) =>
  v.optional(
    v.pipe(
      v.array(v.string()),
      v.transform((items) => items.slice(0, max).map((s) => s.slice(0, 200))),
    ),
    [],
  );

// The answer of `GET /{ip}` as documented at https://internetdb.shodan.io/docs (schema
// "Host": ip, ports, hostnames, tags, vulns, cpes; 404 {"detail": "No information available"}).
const HostSchema = v.looseObject({
  ports: v.optional(
    v.pipe(
      v.array(v.number()),
      v.transform((ports) =>
        [...new Set(ports.filter((p) => Number.isInteger(p) && p > 0 && p < 65_536))].sort((a, b) => a - b),
      ),
    ),
    [],
  ),
  hostnames: strings(),
  tags: strings(),
  vulns: strings(),
  cpes: strings(),
});

export type InternetDbEntry = Readonly<v.InferOutput<typeof HostSchema>>;

/** Shodan's free InternetDB: which ports and names the internet's scanners saw at an address. */
export class InternetDbClient {
  constructor(private readonly options: InternetDbClientOptions) {}

  /** Never throws a ServiceError: a failed lookup is an `error` result the checks report. */
  async lookup(ip: string, signal?: AbortSignal): Promise<InternetDbResult> {
    try {
      const response = await httpRequest({
        service: SERVICE,
        method: 'GET',
        url: `${this.options.baseUrl}/${encodeURIComponent(ip)}`,
        headers: { accept: 'application/json', 'user-agent': 'plex-warden' },
        timeoutMs: this.options.timeoutMs,
        maxBodyBytes: MAX_BODY,
        signal,
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
        label: 'InternetDB lookup',
      });
      if (response.status === 404) return { kind: 'not-indexed', ip };
      if (response.status === 429) return { kind: 'rate-limited', ip };
      if (response.status !== 200) {
        return { kind: 'error', ip, message: `InternetDB answered HTTP ${response.status}` };
      }
      const entry = parseJsonBody(
        response,
        HostSchema,
        (message) => new ServiceError(SERVICE, 'malformed', message, response.status),
      );
      return { kind: 'indexed', ip, ...entry };
    } catch (error) {
      if (error instanceof ServiceError) return { kind: 'error', ip, message: error.message };
      throw error;
    }
  }
}
