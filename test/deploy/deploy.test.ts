import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOYED_ENV, DEPLOYED_NODE_FLAGS } from '../../bench/soak.js';
import { systemTestsRequired } from '../harness/system-gate.js';
import { tempDir } from '../harness/test-env.js';

const root = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
/** Lines that take effect: no comments, no blanks, continuations joined. */
const effective = (text: string) =>
  text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

describe('deploy files name the real settings', () => {
  it.each(['deploy/plex-warden.service', 'compose.yaml', 'Dockerfile', 'README.md'])(
    '%s says FIREWALL_BACKEND, never the old BLOCK_BACKEND',
    (file) => {
      expect(read(file)).not.toMatch(/BLOCK_BACKEND/);
    },
  );

  it('the unit offers nftables or crowdsec for the hardened user and says what fail2ban costs', () => {
    const text = read('deploy/plex-warden.service');
    expect(text).toMatch(/FIREWALL_BACKEND=nftables/);
    expect(text).toMatch(/FIREWALL_BACKEND=crowdsec/);
    expect(text).toMatch(/fail2ban.*root-only socket: granting it is granting root/);
  });
});

describe('deploy/plex-warden.service', () => {
  const text = read('deploy/plex-warden.service');
  const lines = effective(text);
  const values = (key: string) =>
    lines.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
  const value = (key: string) => values(key).at(-1);

  it('drops privileges and locks the system down', () => {
    expect(value('NoNewPrivileges')).toBe('yes');
    expect(value('ProtectSystem')).toBe('strict');
    expect(value('ProtectHome')).toBe('yes');
    expect(value('PrivateTmp')).toBe('yes');
    expect(value('SystemCallFilter')).toBe('@system-service');
    expect(value('RestrictAddressFamilies')?.split(/\s+/).sort()).toEqual(
      ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX'].sort(),
    );
    expect(value('User')).toMatch(/^[a-z][a-z-]*$/);
    expect(value('User')).not.toBe('root');
    expect(value('EnvironmentFile')).toMatch(/^\/etc\/plex-warden\//);
    // Node's JIT needs W+X pages: this would crash the service at start.
    expect(value('MemoryDenyWriteExecute')).toBeUndefined();
  });

  it('grants no capability by default; CAP_NET_ADMIN only as a commented nftables option; never CAP_SYS_ADMIN', () => {
    expect(values('CapabilityBoundingSet')).toEqual(['']);
    expect(values('AmbientCapabilities')).toEqual(['']);
    expect(lines.join('\n')).not.toMatch(/CAP_/);
    expect(text).toMatch(/^#CapabilityBoundingSet=CAP_NET_ADMIN$/m);
    expect(text).toMatch(/^#AmbientCapabilities=CAP_NET_ADMIN$/m);
    expect(text).not.toMatch(/CAP_SYS_ADMIN/);
  });

  it('can write exactly where the database lives, and runs the bot from the build', () => {
    const database = lines.find((l) => l.startsWith('Environment=DATABASE_PATH='))?.split('=')[2];
    expect(database).toBeDefined();
    const folder = database?.replace(/\/[^/]+$/, '');
    expect(values('ReadWritePaths')).toEqual([folder]);
    expect(value('StateDirectory')).toBe(folder?.replace('/var/lib/', ''));
    expect(value('ExecStart')).toMatch(/\/dist\/cli\.js bot$/);
    // The V8 flag the soak benchmark measures as "as deployed".
    expect(value('ExecStart')).toContain(DEPLOYED_NODE_FLAGS.join(' '));
    for (const [key, v] of Object.entries(DEPLOYED_ENV))
      expect(values('Environment')).toContain(`${key}=${v}`);
    expect(value('KillSignal')).toBe('SIGTERM');
    expect(value('RestartPreventExitStatus')).toBe('2');
  });

  // Off a systemd machine the static checks above still run; in CI (.ci/run installs systemd)
  // a missing systemd-analyze is a failure, not a silent pass.
  const hasAnalyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasAnalyze && !systemTestsRequired)(
    'passes systemd-analyze verify with no unknown keys, and rates as well protected',
    () => {
      if (!hasAnalyze) throw new Error('systemd-analyze is missing (PLEX_WARDEN_REQUIRE_SYSTEM_TESTS=1)');
      const dir = tempDir();
      try {
        const unit = join(dir.path, 'plex-warden.service');
        copyFileSync(join(root, 'deploy/plex-warden.service'), unit);
        const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
        expect(verify.stderr).not.toMatch(/Unknown key|Unknown section|Failed to parse|Invalid/);
        const security = spawnSync('systemd-analyze', ['security', '--offline=true', unit], {
          encoding: 'utf8',
        });
        const exposure = /Overall exposure level for .*: ([\d.]+)/.exec(security.stdout + security.stderr);
        if (exposure) expect(Number(exposure[1])).toBeLessThanOrEqual(2.5);
      } finally {
        dir.remove();
      }
    },
  );
});

describe('Dockerfile', () => {
  const lines = effective(read('Dockerfile'));
  const stages = lines.reduce<string[][]>((acc, line) => {
    if (/^FROM\s/i.test(line)) acc.push([line]);
    else acc.at(-1)?.push(line);
    return acc;
  }, []);
  const final = stages.at(-1) ?? [];

  it('is multi-stage on node:20-bookworm-slim, installing production dependencies after the build', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]).toMatch(/^FROM (node:20-bookworm-slim|build)\b/);
    const all = lines.join('\n');
    expect(all.indexOf('npm run build')).toBeGreaterThan(-1);
    expect(all.indexOf('npm ci --omit=dev')).toBeGreaterThan(all.indexOf('npm run build'));
  });

  it('the final stage runs as a non-root user, keeps state in a /data volume, and has a health check', () => {
    const user = final
      .filter((l) => l.startsWith('USER '))
      .at(-1)
      ?.slice(5)
      .split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(final).toContain('VOLUME /data');
    expect(final.some((l) => /^HEALTHCHECK .*CMD .*doctor/.test(l))).toBe(true);
    const env = final.find((l) => l.startsWith('ENV '));
    expect(env).toMatch(/DATABASE_PATH=\/data\//);
    for (const [key, v] of Object.entries(DEPLOYED_ENV)) expect(env).toContain(`${key}=${v}`);
    const entrypoint = final.find((l) => l.startsWith('ENTRYPOINT '))?.slice('ENTRYPOINT '.length);
    expect(JSON.parse(entrypoint ?? '[]')).toEqual(['node', ...DEPLOYED_NODE_FLAGS, 'dist/cli.js']);
  });

  it('copies only files that exist, and never the .env with the tokens', () => {
    for (const line of lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from='))) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) expect(existsSync(join(root, source)), source).toBe(true);
      expect(line).not.toMatch(/\s\.env(\s|$)/);
    }
    const ignore = effective(read('.dockerignore'));
    expect(ignore).toContain('.env');
    expect(ignore).toContain('data/');
  });
});

describe('compose.yaml', () => {
  const lines = effective(read('compose.yaml'));
  const text = lines.join('\n');

  it('uses host networking for SSDP/UPnP, drops every capability, NET_ADMIN only as a comment', () => {
    expect(text).toMatch(/^network_mode: host$/m);
    expect(text).toMatch(/^cap_drop:\n- ALL$/m);
    expect(text).not.toMatch(/NET_ADMIN|SYS_ADMIN|privileged:\s*true/);
    expect(read('compose.yaml')).toMatch(/^\s*#\s*cap_add:\n\s*#\s*- NET_ADMIN$/m);
    expect(text).toMatch(/no-new-privileges:true/);
    expect(text).toMatch(/^read_only: true$/m);
    expect(text).toMatch(/^env_file: \.env$/m);
    expect(text).toMatch(/:\/data$/m);
  });
});
