import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The HTTP server every loopback fake sits on: listens on 127.0.0.1 at a free port so tests never
 * reach the network, and tracks sockets so stop() does not wait on keep-alive or hung requests.
 */
export class LoopbackHttpServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  /** `name` appears in the error thrown when `url` is read before start(), e.g. "fake Plex". */
  constructor(private readonly name: string) {}

  /** `port` 0 picks a free one; a fake restarted on its old port passes that port back. */
  async start(
    handler: RequestListener,
    options: { port?: number; onUpgrade?: (req: IncomingMessage, socket: Socket, head: Buffer) => void } = {},
  ): Promise<string> {
    this.server = createServer(handler);
    const { onUpgrade } = options;
    // Node's HTTP server takes its own 'error' listener off a socket it hands to 'upgrade'
    // (lib/_http_server.js, onParserExecuteCommon): a client that resets while the fake still
    // writes its refusal would then throw ECONNRESET out of the test run. Dropped like any
    // other fake's connection instead.
    if (onUpgrade)
      this.server.on('upgrade', (req, socket, head) => {
        socket.on('error', () => socket.destroy());
        onUpgrade(req, socket as Socket, head);
      });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(options.port ?? 0, '127.0.0.1', resolve));
    return this.url;
  }

  get port(): number {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error(`${this.name} not started`);
    return address.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
