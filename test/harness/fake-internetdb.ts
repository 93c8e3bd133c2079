import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackHttpServer } from './loopback-http-server.js';

export interface InternetDbEntry {
  ports?: number[];
  hostnames?: string[];
  tags?: string[];
  vulns?: string[];
  cpes?: string[];
}

/** Per address: an entry (200), or a status such as 404 (never indexed), 429 (rate limited), or hang. */
export type InternetDbAnswer = InternetDbEntry | { status: number } | 'hang';

/** A loopback Shodan InternetDB: `GET /{ip}`; unknown addresses answer 404 like the real one. */
export class FakeInternetDb {
  readonly requests: string[] = [];
  readonly answers = new Map<string, InternetDbAnswer>();
  private readonly server = new LoopbackHttpServer('fake InternetDB');

  start(): Promise<string> {
    return this.server.start((req, res) => this.handle(req, res));
  }

  get url(): string {
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const ip = decodeURIComponent((req.url ?? '/').slice(1));
    this.requests.push(ip);
    const answer = this.answers.get(ip);
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (answer === 'hang') return;
    if (answer === undefined) {
      json(404, { detail: 'No information available' });
      return;
    }
    if ('status' in answer) {
      json(answer.status, { detail: answer.status === 429 ? 'Too Many Requests' : 'error' });
      return;
    }
    json(200, { ip, ports: [], hostnames: [], tags: [], vulns: [], cpes: [], ...answer });
  }
}
