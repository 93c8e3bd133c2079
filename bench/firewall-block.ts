/**
 * How fast a ban lands in the firewall: plex-warden's nftables backend (one `nft -j` batch per
 * ban, and one batch for many) against fail2ban (`fail2ban-client set JAIL banip` to a real
 * fail2ban-server) and against plain `nft add element` from the command line — same addresses,
 * same run, all inside network namespaces this benchmark creates and deletes. Needs root, nft
 * and fail2ban; says so and skips otherwise.
 */
import { execFileSync } from 'node:child_process';
import { type BlockTarget, parseBlockTarget } from '../src/actions/block-policy.js';
import { NftablesBackend } from '../src/adapters/firewall/nftables.js';
import { systemClock } from '../src/kernel/clock.js';
import { startFail2ban } from '../test/harness/fail2ban-lab.js';
import { NetnsLab } from '../test/harness/netns-lab.js';
import { missingPrerequisites } from '../test/harness/system-gate.js';

const SINGLE = 200;
const BULK = 10_000;

function targets(count: number, third: number): BlockTarget[] {
  return Array.from({ length: count }, (_, i) => {
    const t = parseBlockTarget(`198.${18 + third}.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    if (!t) throw new Error('bad address');
    return t;
  });
}

async function time(fn: () => Promise<void> | void): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export default async function firewallBlock(): Promise<void> {
  const missing = missingPrerequisites(['nft', 'fail2ban-server', 'fail2ban-client']);
  if (missing.length > 0) {
    console.log(`skipped: missing ${missing.join(', ')}`);
    return;
  }
  const lab = new NetnsLab('bench-fw');
  let f2bRemove: (() => void) | undefined;
  try {
    const ns = lab.namespace('fw');
    const nft = new NftablesBackend({
      table: 'plex_warden',
      nft: ['ip', 'netns', 'exec', ns, 'nft'],
      timeoutMs: 30_000,
      clock: systemClock,
    });
    await nft.prepare();
    const f2b = await startFail2ban(lab, ns);
    f2bRemove = f2b.remove;
    const rows: { name: string; count: number; ms: number }[] = [];

    const ours = targets(SINGLE, 0);
    rows.push({
      name: 'plex-warden nftables, one ban per call',
      count: SINGLE,
      ms: await time(async () => {
        for (const t of ours) await nft.block(t, 3_600_000, 'bench');
      }),
    });
    const cli = targets(SINGLE, 1);
    rows.push({
      name: 'nft add element (CLI, one per exec)',
      count: SINGLE,
      ms: await time(() => {
        for (const t of cli) {
          execFileSync('ip', [
            'netns',
            'exec',
            ns,
            'nft',
            'add',
            'element',
            'inet',
            'plex_warden',
            'blocked4',
            `{ ${t.text} timeout 1h }`,
          ]);
        }
      }),
    });
    const f2bTargets = targets(SINGLE, 2);
    rows.push({
      name: 'fail2ban-client set JAIL banip',
      count: SINGLE,
      ms: await time(async () => {
        for (const t of f2bTargets) await f2b.backend.block(t, 3_600_000, 'bench');
      }),
    });
    const bulk = targets(BULK, 3);
    rows.push({
      name: 'plex-warden nftables, one batch (re-apply on start)',
      count: BULK,
      ms: await time(() =>
        nft.blockMany(bulk.map((target) => ({ target, durationMs: 3_600_000, comment: 'bench' }))),
      ),
    });

    const perBan = (r: { count: number; ms: number }) => r.ms / r.count;
    const base = rows[0] ? perBan(rows[0]) : 1;
    console.log(`| method | bans | total ms | ms per ban | vs plex-warden single |`);
    console.log(`|---|---:|---:|---:|---:|`);
    for (const r of rows) {
      console.log(
        `| ${r.name} | ${r.count} | ${r.ms.toFixed(0)} | ${perBan(r).toFixed(3)} | ${(perBan(r) / base).toFixed(2)}x |`,
      );
    }
  } finally {
    lab.cleanup();
    f2bRemove?.();
  }
}
