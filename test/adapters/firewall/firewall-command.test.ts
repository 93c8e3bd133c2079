import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBlockTarget } from '../../../src/actions/block-policy.js';
import { CommandBackend } from '../../../src/adapters/firewall/command.js';
import { NoneBackend } from '../../../src/adapters/firewall/none.js';
import { actionsFixture } from '../../harness/actions-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A script that appends its argv (one per line) and its environment keys to a log file. */
function recordingScript(name: string, body = ''): { script: string; log: string } {
  const script = join(dir, `${name}.sh`);
  const log = join(dir, `${name}.log`);
  writeFileSync(
    script,
    `#!/bin/sh\n${body}\nfor a in "$@"; do printf '%s\\n' "$a" >> '${log}'; done\necho --- >> '${log}'\nenv | cut -d= -f1 | sort | tr '\\n' ' ' >> '${log}.env'\n`,
  );
  chmodSync(script, 0o755);
  return { script, log };
}

describe('command backend', () => {
  it('runs the script with argv [block|unblock, ip, seconds] and no secrets in its environment', async () => {
    const { script, log } = recordingScript('ok');
    const f = actionsFixture({
      env: { FIREWALL_BACKEND: 'command', BLOCK_COMMAND: script },
      firewall: () => new CommandBackend({ command: script, timeoutMs: 5_000 }),
    });
    await f.bans.block({
      input: '203.0.113.7',
      durationMs: 90_500,
      reason: 'x',
      origin: 'command',
      requestedBy: 'u1',
    });
    await f.bans.unblock('2001:db8::1', 'u1');
    expect(readFileSync(log, 'utf8')).toBe('block\n203.0.113.7\n91\n---\nunblock\n2001:db8::1\n0\n---\n');
    expect(readFileSync(`${log}.env`, 'utf8')).not.toMatch(/DISCORD|TOKEN|PLEX/);
    expect(await f.firewall.list()).toBeUndefined();
  });

  it.each([
    'garbage',
    '0.0.0.0/0',
    '127.0.0.1',
    '192.168.1.20',
    `1.2.3.4;touch ${join(dir, 'pwned-semicolon')}`,
    `$(touch ${join(dir, 'pwned-subshell')})`,
    `\`touch ${join(dir, 'pwned-backtick')}\``,
    '1.2.3.4 && id',
    '1.2.3.4\nid',
    '--help',
  ])('refuses %j and executes nothing', async (input) => {
    const { script, log } = recordingScript(`refuse-${Buffer.from(input).toString('hex').slice(0, 16)}`);
    const f = actionsFixture({ firewall: () => new CommandBackend({ command: script, timeoutMs: 5_000 }) });
    await expect(
      f.bans.block({ input, reason: 'x', origin: 'command', requestedBy: 'u1' }),
    ).rejects.toMatchObject({ name: 'UserError' });
    expect(existsSync(log)).toBe(false);
    for (const marker of ['pwned-semicolon', 'pwned-subshell', 'pwned-backtick']) {
      expect(existsSync(join(dir, marker))).toBe(false);
    }
    expect(f.bans.active()).toEqual([]);
  });

  it('turns a failing, hanging or missing script into a FirewallError with stderr', async () => {
    const target = parseBlockTarget('203.0.113.7');
    if (!target) throw new Error('target');
    const failing = recordingScript('fails', "echo 'ipset: no such set' >&2; exit 3");
    await expect(
      new CommandBackend({ command: failing.script, timeoutMs: 5_000 }).block(target, 1_000, ''),
    ).rejects.toMatchObject({
      name: 'FirewallError',
      details: { backend: 'command', exitCode: 3, stderr: 'ipset: no such set' },
    });
    const hanging = recordingScript('hangs', 'sleep 10');
    const started = Date.now();
    await expect(
      new CommandBackend({ command: hanging.script, timeoutMs: 300 }).block(target, 1_000, ''),
    ).rejects.toMatchObject({
      details: { timedOut: true },
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect(
      new CommandBackend({ command: join(dir, 'missing.sh'), timeoutMs: 1_000 }).block(target, 1_000, ''),
    ).rejects.toThrow(/cannot run .*ENOENT/);
  });

  it('refuses a forged target object that did not come from the parser', async () => {
    const { script, log } = recordingScript('forged');
    const target = parseBlockTarget('203.0.113.7');
    if (!target) throw new Error('target');
    const forged = { ...target, text: '203.0.113.7;id' };
    await expect(
      new CommandBackend({ command: script, timeoutMs: 1_000 }).block(forged, 1_000, ''),
    ).rejects.toThrow(/non-canonical/);
    expect(existsSync(log)).toBe(false);
  });
});

describe('none backend', () => {
  it('records the ban in the database only', async () => {
    const f = actionsFixture({ firewall: () => new NoneBackend() });
    f.proposals.create({
      action: { kind: 'block-ip', target: '203.0.113.7', reason: 'x', force: false },
      origin: 'command',
      requestedBy: 'u1',
    });
    f.proposals.attachMessage(1, 'c', 'm');
    const verdict = await f.proposals.react({
      messageId: 'm',
      userId: 'u2',
      decision: 'approve',
      isBot: false,
      isApprover: true,
      stillApprovers: async (ids: readonly string[]) => new Set(ids),
    });
    expect(verdict).toMatchObject({
      proposal: { status: 'done', outcome: expect.stringMatching(/Recorded only/) },
    });
    expect(f.bans.active()).toHaveLength(1);
    expect(await f.firewall.list()).toBeUndefined();
    expect((await f.bans.reconcile()).listable).toBe(false);
  });
});
