import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fail2banBackend } from '../../src/adapters/firewall/fail2ban.js';
import type { NetnsLab } from './netns-lab.js';

export interface Fail2banLab {
  readonly dir: string;
  readonly jail: string;
  readonly backend: Fail2banBackend;
  /** Removes the private config dir (the lab's cleanup ends the server). */
  remove(): void;
}

/**
 * A real `fail2ban-server -f -x -c DIR` inside namespace `ns`, with a private copy of
 * /etc/fail2ban: socket, pidfile, log and `dbfile = :memory:` under the temp dir, Debian's jails
 * removed, one jail `plex-warden` (a filter that never matches, polling an empty log) whose
 * nftables action builds its table inside the namespace.
 */
export async function startFail2ban(lab: NetnsLab, ns: string): Promise<Fail2banLab> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-f2b-'));
  const jail = 'plex-warden';
  cpSync('/etc/fail2ban', dir, { recursive: true });
  for (const file of readdirSync(join(dir, 'jail.d'))) rmSync(join(dir, 'jail.d', file));
  writeFileSync(join(dir, 'empty.log'), '');
  writeFileSync(
    join(dir, 'fail2ban.local'),
    `[Definition]\nloglevel = INFO\nlogtarget = ${dir}/fail2ban.log\nsocket = ${dir}/fail2ban.sock\npidfile = ${dir}/fail2ban.pid\ndbfile = :memory:\n`,
  );
  writeFileSync(
    join(dir, 'filter.d', `${jail}.conf`),
    '[Definition]\nfailregex = ^plex-warden-never <HOST>$\n',
  );
  writeFileSync(
    join(dir, 'jail.local'),
    `[DEFAULT]\nenabled = false\n\n[${jail}]\nenabled = true\nfilter = ${jail}\nbackend = polling\nlogpath = ${dir}/empty.log\nbanaction = nftables-allports\nbantime = 1d\nmaxretry = 1000\n`,
  );
  lab.spawn(ns, 'fail2ban-server', ['-f', '-x', '-c', dir]);
  lab.trackPidFile(join(dir, 'fail2ban.pid'));
  const backend = new Fail2banBackend({
    client: ['ip', 'netns', 'exec', ns, 'fail2ban-client'],
    configDir: dir,
    jail,
    timeoutMs: 10_000,
  });
  for (let i = 0; ; i++) {
    try {
      await backend.prepare();
      break;
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { dir, jail, backend, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
