import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { parseIp } from '../../net/ip.js';

export interface NatPmpOptions {
  /** Overall bound for all attempts together. */
  readonly timeoutMs: number;
  /** Attempts; RFC 6886 allows up to 9 with doubling waits, a scan does not need that many. */
  readonly attempts?: number;
  /** Only tests change this (a loopback responder). */
  readonly port?: number;
  readonly signal?: AbortSignal | undefined;
}

export interface NatPmpAnswer {
  readonly gateway: string;
  readonly externalIp: string;
  /** The gateway's "seconds since start of epoch" (its uptime, in practice). */
  readonly epochSeconds: number;
}

export type NatPmpResult =
  | { readonly ok: true; readonly answer: NatPmpAnswer }
  | { readonly ok: false; readonly reason: 'timeout' | 'refused' | 'error'; readonly detail: string };

export const NATPMP_PORT = 5351;

/**
 * RFC 6886 public address request: `00 00` to the gateway's udp 5351, answer
 * `00 80 <result u16> <epoch u32> <ip 4 bytes>`. Retries with doubling waits starting at 250 ms,
 * all within `timeoutMs`. Only answers from the gateway's address and port count.
 */
export function natPmpExternalAddress(gateway: string, options: NatPmpOptions): Promise<NatPmpResult> {
  const port = options.port ?? NATPMP_PORT;
  const attempts = Math.max(1, options.attempts ?? 4);
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    let settled = false;
    let wait = 250;
    let sent = 0;
    let retry: NodeJS.Timeout | undefined;
    const finish = (result: NatPmpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(retry);
      clearTimeout(overall);
      options.signal?.removeEventListener('abort', onAbort);
      try {
        socket.close();
      } catch {
        // Already closed.
      }
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, reason: 'timeout', detail: 'stopped before an answer came' });
    const overall = setTimeout(
      () =>
        finish({
          ok: false,
          reason: 'timeout',
          detail: `no NAT-PMP answer from ${gateway}:${port} within ${options.timeoutMs} ms (${sent} tries)`,
        }),
      options.timeoutMs,
    );
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error) => {
      const code = (error as { code?: string }).code;
      finish({
        ok: false,
        reason: code === 'ECONNREFUSED' ? 'refused' : 'error',
        detail: `NAT-PMP to ${gateway}:${port} failed (${code ?? 'error'})`,
      });
    });
    // A connected socket only accepts the gateway's answers and surfaces ICMP port
    // unreachable as ECONNREFUSED instead of a silent wait.
    socket.on('message', (message) => {
      const answer = parseNatPmpAnswer(message);
      if (answer === undefined) return;
      if (answer.result !== 0) {
        finish({
          ok: false,
          reason: 'refused',
          detail: `the gateway answered NAT-PMP result code ${answer.result}`,
        });
        return;
      }
      finish({ ok: true, answer: { gateway, externalIp: answer.ip, epochSeconds: answer.epoch } });
    });
    const send = () => {
      if (settled) return;
      sent++;
      socket.send(Buffer.from([0, 0]));
      if (sent < attempts) {
        retry = setTimeout(send, wait);
        wait *= 2;
      }
    };
    socket.connect(port, gateway, send);
  });
}

export function parseNatPmpAnswer(
  message: Buffer,
): { result: number; epoch: number; ip: string } | undefined {
  if (message.length < 12 || message[0] !== 0 || message[1] !== 0x80) return undefined;
  const result = message.readUInt16BE(2);
  const epoch = message.readUInt32BE(4);
  const ip = `${message[8]}.${message[9]}.${message[10]}.${message[11]}`;
  return { result, epoch, ip };
}

/**
 * The IPv4 default route's gateway from /proc/net/route (little-endian hex), read without a
 * shell. Undefined when there is no default route (or not on Linux).
 */
export async function defaultGateway(routeFile = '/proc/net/route'): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(routeFile, 'utf8');
  } catch {
    return undefined;
  }
  return parseDefaultGateway(text);
}

export function parseDefaultGateway(text: string): string | undefined {
  let best: { gateway: string; metric: number } | undefined;
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const [, destination, gatewayHex, flagsHex, , , metricText, maskHex] = fields;
    if (
      destination !== '00000000' ||
      maskHex !== '00000000' ||
      !gatewayHex ||
      !/^[0-9A-Fa-f]{8}$/.test(gatewayHex)
    )
      continue;
    const flags = Number.parseInt(flagsHex ?? '0', 16);
    // RTF_UP (1) and RTF_GATEWAY (2).
    if ((flags & 3) !== 3) continue;
    const n = Number.parseInt(gatewayHex, 16);
    const gateway = `${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${(n >>> 24) & 255}`;
    const metric = Number(metricText ?? 0);
    if (!parseIp(gateway) || gateway === '0.0.0.0') continue;
    if (!best || metric < best.metric) best = { gateway, metric };
  }
  return best?.gateway;
}
