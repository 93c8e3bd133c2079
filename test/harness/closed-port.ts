import { type AddressInfo, createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago and is now closed: connecting to it is refused
 * quickly, so tests can exercise "unreachable" without waiting on a timeout.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
