import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { replayFile } from '../../src/logs/replay.js';
import { describeSystem } from '../harness/system-gate.js';
import { tempDir } from '../harness/test-env.js';

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) & 0x7fffffff;
    return a / 0x7fffffff;
  };
}

/**
 * The reference: fail2ban's own shipped sshd filter (aggressive mode) and ours must charge the
 * same failures to the same addresses, forged user names included.
 */
describeSystem(
  'sshd parser agrees with fail2ban-regex and its shipped sshd filter',
  ['fail2ban-regex'],
  () => {
    const dir = tempDir('plex-warden-f2b-');
    afterAll(() => dir.remove());

    it('per-address failure counts are identical on 5,000 mixed lines', async () => {
      const r = rng(11);
      const ips = [
        ...Array.from({ length: 30 }, (_, i) => `203.0.113.${i + 1}`),
        '2001:db8::7',
        '2001:db8:1::42',
      ];
      const users = ['root', 'admin', 'oracle', 'x from 6.6.6.6 port 22', 'pi'];
      const lines: string[] = [];
      for (let i = 0; i < 5000; i++) {
        const ip = ips[Math.floor(r() * ips.length)] as string;
        const user = users[Math.floor(r() * users.length)] as string;
        const pid = 1000 + i;
        const t = `Nov 25 19:${String(10 + Math.floor(i / 600)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} nas`;
        const port = 30000 + Math.floor(r() * 30000);
        switch (Math.floor(r() * 9)) {
          case 0:
            lines.push(`${t} sshd[${pid}]: Failed password for ${user} from ${ip} port ${port} ssh2`);
            break;
          case 1:
            lines.push(
              `${t} sshd[${pid}]: Failed password for invalid user ${user} from ${ip} port ${port} ssh2`,
            );
            break;
          case 2:
            lines.push(`${t} sshd[${pid}]: Invalid user ${user} from ${ip} port ${port}`);
            break;
          case 3:
            lines.push(
              `${t} sshd[${pid}]: Connection closed by invalid user ${user} ${ip} port ${port} [preauth]`,
            );
            break;
          case 4:
            lines.push(
              `${t} sshd[${pid}]: error: maximum authentication attempts exceeded for root from ${ip} port ${port} ssh2 [preauth]`,
            );
            break;
          case 5:
            lines.push(
              `${t} sshd[${pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=root`,
            );
            lines.push(`${t} sshd[${pid}]: Failed password for root from ${ip} port ${port} ssh2`);
            break;
          case 6:
            lines.push(
              `${t} sshd[${pid}]: Accepted publickey for alice from ${ip} port ${port} ssh2: ED25519 SHA256:abc`,
            );
            break;
          case 7:
            lines.push(
              `${t} sshd[${pid}]: Disconnected from authenticating user root ${ip} port ${port} [preauth]`,
            );
            break;
          default:
            lines.push(`${t} CRON[${pid}]: pam_unix(cron:session): session opened for user root`);
        }
      }
      const file = join(dir.path, 'auth.log');
      writeFileSync(file, `${lines.join('\n')}\n`);

      const theirs = new Map<string, number>();
      const out = execFileSync(
        'fail2ban-regex',
        ['-o', 'ip', file, '/etc/fail2ban/filter.d/sshd.conf[mode=aggressive]'],
        { encoding: 'utf8', maxBuffer: 16 << 20 },
      );
      for (const ip of out.split('\n').filter((l) => l !== '')) theirs.set(ip, (theirs.get(ip) ?? 0) + 1);

      // fail2ban counts each IPv6 address on its own; LOG_IPV6_PREFIX=128 counts as it does.
      const config = loadConfig({ LOG_TIMEZONE: 'UTC', LOG_IPV6_PREFIX: '128' }, { requireDiscord: false });
      const ours = await replayFile(file, 'sshd', {
        logs: config.logs,
        network: config.network,
        now: () => Date.UTC(2026, 10, 26),
      });
      const mine = new Map(ours.addresses.filter((a) => a.failures > 0).map((a) => [a.ip, a.failures]));
      expect(Object.fromEntries([...mine].sort())).toEqual(Object.fromEntries([...theirs].sort()));
      expect(mine.has('6.6.6.6')).toBe(false);
      expect(mine.size).toBe(32);
      expect([...mine.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(3000);
    });
  },
);
