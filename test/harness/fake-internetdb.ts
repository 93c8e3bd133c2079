import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('fake InternetDB not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
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
