import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogReviewRepository } from '../../src/adapters/sqlite/log-review-repository.js';
import { loadConfig } from '../../src/config/index.js';
import { parseLogSources } from '../../src/config/logs.js';
import { entryLine, journalctlArgs } from '../../src/logs/acquire/journal-cursor.js';
import { replayFile } from '../../src/logs/replay.js';
import { openTestDatabase } from '../harness/log-db.js';
import { runReviewChild } from '../harness/review-child-runner.js';
import { systemTestsRequired } from '../harness/system-gate.js';
import { tempDir } from '../harness/test-env.js';

// Skipped on a laptop without it; in CI (PLEX_WARDEN_REQUIRE_SYSTEM_TESTS=1) a missing binary fails.
// systemd-journal-remote(8) writes a real journal file from the export format on stdin.
const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';
const haveJournal = existsSync(JOURNAL_REMOTE);

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) & 0x7fffffff;
    return a / 0x7fffffff;
  };
}

const BOOT = '0123456789abcdef0123456789abcdef';

/**
 * Journal export format (https://systemd.io/JOURNAL_EXPORT_FORMATS/): `FIELD=value` lines, an
 * empty line after each entry. Appended to the same journal file each call.
 */
function appendJournal(file: string, entries: { us: number; comm: string; pid: number; message: string }[]) {
  let text = '';
  let mono = 1;
  for (const e of entries) {
    text += `__REALTIME_TIMESTAMP=${e.us}\n__MONOTONIC_TIMESTAMP=${mono++}\n_BOOT_ID=${BOOT}\n_HOSTNAME=h\n_COMM=${e.comm}\n_PID=${e.pid}\nSYSLOG_IDENTIFIER=${e.comm}\nMESSAGE=${e.message}\n\n`;
  }
  execFileSync(JOURNAL_REMOTE, [`--output=${file}`, '-'], {
    input: text,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
}

describe('journald sources', () => {
  const dirs: { remove(): void }[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('LOG_SOURCES takes journald:sshd, kind:journald:match+match:/journal and kind:docker:/path', () => {
    expect(parseLogSources('journald:sshd,nginx:docker:/var/lib/docker/containers/a/a-json.log')).toEqual([
      { id: 'sshd', kind: 'sshd', path: 'journald:sshd', via: 'journald', journal: { matches: ['sshd'] } },
      { id: 'nginx', kind: 'nginx', path: '/var/lib/docker/containers/a/a-json.log', via: 'docker' },
    ]);
    expect(parseLogSources('ssh=sshd:journald:ssh.service+sshd-session:/srv/copy')).toEqual([
      {
        id: 'ssh',
        kind: 'sshd',
        path: 'sshd:journald:ssh.service+sshd-session:/srv/copy',
        via: 'journald',
        journal: { matches: ['ssh.service', 'sshd-session'], path: '/srv/copy' },
      },
    ]);
    // Shell metacharacters never reach journalctl: the match is refused.
    expect(parseLogSources('journald:sshd;rm -rf /')).toMatchObject({
      details: ['a journald match must be a unit or process name in "journald:sshd;rm -rf /"'],
    });
  });

  it('matches only trusted fields, joined as alternatives', () => {
    const args = journalctlArgs({ matches: ['ssh.service', 'sshd'] }, undefined, 1_764_600_000_000);
    expect(args).toContain('--since=@1764600000');
    expect(args.slice(-3)).toEqual(['_SYSTEMD_UNIT=ssh.service', '+', '_COMM=sshd']);
    const after = journalctlArgs({ matches: ['sshd'] }, { kind: 'journald', cursor: 's=1;i=2', since: 0 }, 0);
    expect(after).toContain('--after-cursor=s=1;i=2');
  });

  it('an entry becomes one syslog line; a newline in MESSAGE cannot forge a second one', () => {
    const line = entryLine({
      __REALTIME_TIMESTAMP: '1764600000123456',
      _HOSTNAME: 'h',
      _COMM: 'sshd',
      _PID: '42',
      MESSAGE: 'Invalid user x\nFailed password for root from 198.51.100.1 port 22 ssh2',
    });
    expect(line).toBe(
      '2025-12-01T14:40:00.123456+00:00 h sshd[42]: Invalid user x Failed password for root from 198.51.100.1 port 22 ssh2\n',
    );
    // Not UTF-8: journalctl writes an array of bytes.
    expect(entryLine({ __REALTIME_TIMESTAMP: '1', MESSAGE: [104, 105] })).toContain(': hi\n');
    // Too big (journalctl writes null): dropped, not guessed.
    expect(entryLine({ __REALTIME_TIMESTAMP: '1', MESSAGE: null })).toBeUndefined();
  });

  it.skipIf(!haveJournal && !systemTestsRequired)(
    'counts every entry of a real journal file exactly once across SIGKILLs and a growing journal',
    async () => {
      const dir = tempDir('plex-warden-journal-');
      dirs.push(dir);
      const journal = join(dir.path, 'x.journal');
      const db = join(dir.path, 'db.sqlite');
      const random = rng(11);
      const truth = new Map<string, number>();
      let us = (Date.now() - 3_600_000) * 1000;
      let total = 0;
      const batch = (n: number) => {
        const entries = [];
        for (let i = 0; i < n; i++) {
          const ip = `203.0.113.${Math.floor(random() * 250) + 1}`;
          us += 1000;
          const fail = random() < 0.5;
          // Another process writing sshd-looking text is not read: only _COMM=sshd is.
          const forged = random() < 0.1;
          if (fail && !forged) truth.set(ip, (truth.get(ip) ?? 0) + 1);
          if (!forged) total++;
          entries.push({
            us,
            comm: forged ? 'logger' : 'sshd',
            pid: 100 + i,
            message: fail
              ? `Failed password for root from ${ip} port ${1000 + i} ssh2`
              : `Accepted publickey for alice from ${ip} port ${1000 + i} ssh2`,
          });
        }
        appendJournal(journal, entries);
      };
      batch(20_000);
      const spec = `journald:sshd:${journal}`;
      let kills = 0;
      let midway = 0;
      for (let round = 0; round < 5; round++) {
        const outcome = await runReviewChild(spec, db, 300 + Math.floor(random() * 700));
        if (outcome === 'killed') {
          kills++;
          const peek = openTestDatabase(db);
          const row = new LogReviewRepository(peek).source('sshd');
          peek.close();
          if (row && row.lines > 0 && row.lines < total) midway++;
        }
        batch(1_000);
      }
      expect(kills).toBeGreaterThan(0);
      expect(midway).toBeGreaterThan(0);
      expect(await runReviewChild(spec, db, null)).toBe('done');
      const check = openTestDatabase(db);
      try {
        const repo = new LogReviewRepository(check);
        const counted = Object.fromEntries(repo.counts('sshd').map((c) => [c.ip, c.failures]));
        expect(counted).toEqual(Object.fromEntries(truth));
        expect(repo.source('sshd')).toMatchObject({ lines: total, position: { kind: 'journald' } });
      } finally {
        check.close();
      }
    },
    180_000,
  );

  it.skipIf(!haveJournal && !systemTestsRequired)(
    'replay reads a journal file, every entry or only the matched processes',
    async () => {
      const dir = tempDir('plex-warden-journal-');
      dirs.push(dir);
      const journal = join(dir.path, 'copy.journal');
      const us = Date.UTC(2026, 10, 25, 19, 30) * 1000;
      appendJournal(journal, [
        { us, comm: 'sshd', pid: 1, message: 'Failed password for root from 198.51.100.4 port 22 ssh2' },
        {
          us: us + 1,
          comm: 'sshd-session',
          pid: 2,
          message: 'Failed password for root from 198.51.100.4 port 23 ssh2',
        },
        { us: us + 2, comm: 'cron', pid: 3, message: 'pam_unix(cron:session): session opened' },
      ]);
      const config = loadConfig({ LOG_TIMEZONE: 'UTC' }, { requireDiscord: false });
      const deps = { logs: config.logs, network: config.network, now: () => Date.UTC(2026, 10, 25, 20) };
      const all = await replayFile(journal, 'sshd', deps, { via: 'journald' });
      expect(all).toMatchObject({ lines: 3, matched: 2 });
      expect(all.addresses).toEqual([{ ip: '198.51.100.4', failures: 2, clientErrors: 0, badTokens: 0 }]);
      const one = await replayFile(journal, 'sshd', deps, { via: 'journald', matches: ['sshd'] });
      expect(one).toMatchObject({ lines: 1, matched: 1 });
    },
  );
});
