import { afterEach, describe, expect, it } from 'vitest';
import {
  natPmpExternalAddress,
  parseDefaultGateway,
  parseNatPmpAnswer,
} from '../../../src/adapters/router/nat-pmp.js';
import { FakeNatPmp } from '../../harness/fake-igd.js';

describe('NAT-PMP public address (loopback responder only)', () => {
  const fakes: FakeNatPmp[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.stop()));
  });
  const start = async (ip: string, behaviour: ConstructorParameters<typeof FakeNatPmp>[1] = {}) => {
    const fake = await new FakeNatPmp(ip, behaviour).start();
    fakes.push(fake);
    return fake;
  };

  it('reads the public address', async () => {
    const fake = await start('198.51.100.23');
    const result = await natPmpExternalAddress('127.0.0.1', { timeoutMs: 1_000, port: fake.port });
    expect(result).toEqual({
      ok: true,
      answer: { gateway: '127.0.0.1', externalIp: '198.51.100.23', epochSeconds: 1234 },
    });
  });

  it('retries when the first request is lost', async () => {
    const fake = await start('198.51.100.23', { ignoreFirst: 1 });
    const result = await natPmpExternalAddress('127.0.0.1', { timeoutMs: 2_000, port: fake.port });
    expect(result.ok).toBe(true);
    expect(fake.received).toBe(2);
  });

  it('gives up within the bound when the gateway stays silent', async () => {
    const fake = await start('198.51.100.23', { silent: true });
    const t0 = performance.now();
    const result = await natPmpExternalAddress('127.0.0.1', { timeoutMs: 400, port: fake.port, attempts: 9 });
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
    expect(fake.received).toBeLessThanOrEqual(2);
  });

  it('reports a non-zero result code and a closed port', async () => {
    const fake = await start('0.0.0.0', { resultCode: 3 });
    expect(await natPmpExternalAddress('127.0.0.1', { timeoutMs: 1_000, port: fake.port })).toMatchObject({
      ok: false,
      reason: 'refused',
    });
    const closed = await start('0.0.0.0');
    const port = closed.port;
    await closed.stop();
    fakes.pop();
    expect(await natPmpExternalAddress('127.0.0.1', { timeoutMs: 1_000, port })).toMatchObject({
      ok: false,
      reason: 'refused',
    });
  });

  it('rejects short or wrong-opcode packets', () => {
    expect(parseNatPmpAnswer(Buffer.from([0, 0x80, 0, 0]))).toBeUndefined();
    expect(parseNatPmpAnswer(Buffer.from([0, 0x81, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]))).toBeUndefined();
    expect(parseNatPmpAnswer(Buffer.from([0, 0x80, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]))).toEqual({
      result: 0,
      epoch: 1,
      ip: '1.2.3.4',
    });
  });
});

describe('default gateway from /proc/net/route', () => {
  const HEADER = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT';
  it('picks the default route with the lowest metric', () => {
    const text = [
      HEADER,
      'eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
      'wlan0\t00000000\t01010A0A\t0003\t0\t0\t50\t00000000\t0\t0\t0',
      'eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
    ].join('\n');
    expect(parseDefaultGateway(text)).toBe('10.10.1.1');
  });
  it('has none without a default route or with a down route', () => {
    expect(
      parseDefaultGateway(`${HEADER}\neth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`),
    ).toBeUndefined();
    expect(
      parseDefaultGateway(`${HEADER}\neth0\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n`),
    ).toBeUndefined();
    expect(parseDefaultGateway('')).toBeUndefined();
  });
});
