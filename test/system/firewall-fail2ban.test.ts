import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BlockTarget, parseBlockTarget } from '../../src/actions/block-policy.js';
import { Fail2banBackend } from '../../src/adapters/firewall/fail2ban.js';
import { type Fail2banLab, startFail2ban } from '../harness/fail2ban-lab.js';
import { NetnsLab } from '../harness/netns-lab.js';
import { describeSystem } from '../harness/system-gate.js';

function target(text: string): BlockTarget {
  const t = parseBlockTarget(text);
  if (!t) throw new Error(`bad target ${text}`);
  return t;
}

const SERVER = "require('node:http').createServer((req, res) => res.end('ok')).listen(8080, '0.0.0.0');";

/**
 * A real fail2ban-server (`-f -x -c DIR`) with a private config dir running inside a namespace,
 * so its nftables action builds its table there. `srv` runs it and an HTTP server; `atk` and
 * `good` connect.
 */
describeSystem(
  'fail2ban backend against a real fail2ban-server',
  ['fail2ban-server', 'fail2ban-client', 'nft', 'curl'],
  () => {
    const lab = new NetnsLab('f2b');
    let f2b: Fail2banLab | undefined;
    let srv = '';
    let atk = '';
    let good = '';
    let backend: Fail2banBackend;

    const status = (ns: string, url: string): string => lab.httpStatus(ns, url);

    beforeAll(async () => {
      srv = lab.namespace('srv');
      atk = lab.namespace('atk');
      good = lab.namespace('good');
      lab.link(
        { ns: atk, ifname: 'eth0', cidr: '203.0.113.7/24' },
        { ns: srv, ifname: 'wana', cidr: '203.0.113.1/24' },
      );
      lab.link(
        { ns: good, ifname: 'eth0', cidr: '198.51.100.20/24' },
        { ns: srv, ifname: 'wanb', cidr: '198.51.100.1/24' },
      );
      lab.spawn(srv, process.execPath, ['-e', SERVER]);
      f2b = await startFail2ban(lab, srv);
      backend = f2b.backend;
      for (let i = 0; status(good, 'http://198.51.100.1:8080/') !== '200'; i++) {
        if (i > 50) throw new Error('HTTP server never answered');
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    afterAll(() => {
      lab.cleanup();
      f2b?.remove();
    });

    it('bans through the jail: the banned source is refused, another source still gets 200', async () => {
      expect(status(atk, 'http://203.0.113.1:8080/')).toBe('200');
      await backend.block(target('203.0.113.7'), 3_600_000, 'ignored by fail2ban');
      expect((await backend.list()).map((e) => e.target)).toEqual(['203.0.113.7']);
      expect(status(atk, 'http://203.0.113.1:8080/')).toBe('blocked');
      expect(status(good, 'http://198.51.100.1:8080/')).toBe('200');
      expect(lab.exec(srv, 'nft', ['list', 'ruleset'])).toMatch(/203\.0\.113\.7/);
    });

    it('unbans, and unbanning an address that is not banned is not an error', async () => {
      await backend.unblock(target('203.0.113.7'));
      await backend.unblock(target('203.0.113.7'));
      await backend.unblock(target('192.0.2.99'));
      expect(await backend.list()).toEqual([]);
      expect(status(atk, 'http://203.0.113.1:8080/')).toBe('200');
    });

    it('fails with a FirewallError for an unknown jail', async () => {
      const wrong = new Fail2banBackend({
        client: ['fail2ban-client'],
        configDir: f2b?.dir,
        jail: 'nope',
        timeoutMs: 10_000,
      });
      await expect(wrong.block(target('203.0.113.8'), 1_000, '')).rejects.toMatchObject({
        name: 'FirewallError',
        details: { backend: 'fail2ban', exitCode: expect.any(Number) },
      });
    });
  },
);
