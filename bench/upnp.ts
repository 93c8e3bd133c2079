/**
 * Time to read 100 port mappings from a real miniupnpd (in namespaces this benchmark creates and
 * deletes), side by side with `upnpc -l` on the same daemon in the same run. Needs root and the
 * Debian packages miniupnpd, miniupnpc, nftables, iproute2; otherwise it says so and skips.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { LAB, RouterLab } from '../test/harness/router-lab.js';
import { missingPrerequisites } from '../test/harness/system-gate.js';

const MAPPINGS = 100;
const ROUNDS = 7;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeProcess(command: string, args: readonly string[]): number {
  const t0 = performance.now();
  execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return performance.now() - t0;
}

export default async function bench(): Promise<void> {
  const missing = missingPrerequisites(['miniupnpd', 'upnpc', 'nft', 'ip']);
  if (missing.length > 0) {
    console.log(
      `skipped: bench upnp needs ${missing.join(', ')} (run as root with the packages from .ci/run)`,
    );
    return;
  }
  const lab = new RouterLab('bench');
  try {
    await lab.startMiniupnpd();
    const probe = resolve('test/harness/router-probe.ts');
    await lab.runScript(lab.lan, probe, {
      op: 'add-many',
      url: lab.descriptionUrl,
      count: MAPPINGS,
      internalClient: LAB.lanHost,
    });
    const ours = await lab.runScript<{
      cold: number[];
      walk: number[];
      list: number[];
      count: number;
      listCount: number;
    }>(lab.lan, probe, { op: 'time-walk', url: lab.descriptionUrl, rounds: ROUNDS });
    if (ours.count !== MAPPINGS) throw new Error(`expected ${MAPPINGS} mappings, walked ${ours.count}`);

    const upnpcRuns: number[] = [];
    const nsOverhead: number[] = [];
    let listed = '';
    for (let i = 0; i < ROUNDS; i++) {
      nsOverhead.push(timeProcess('ip', ['netns', 'exec', lab.lan, 'true']));
      upnpcRuns.push(timeProcess('ip', ['netns', 'exec', lab.lan, 'upnpc', '-u', lab.descriptionUrl, '-l']));
    }
    listed = lab.upnpc(['-l']);
    const upnpcCount = listed.split('\n').filter((l) => /^\s*\d+ (TCP|UDP) /.test(l)).length;
    const upnpc = Math.max(0, median(upnpcRuns) - median(nsOverhead));

    const rows: [string, number, number][] = [
      ['plex-warden GetGenericPortMappingEntry walk', median(ours.walk), ours.count],
      ['plex-warden cold (description + IP + walk)', median(ours.cold), ours.count],
      ['plex-warden GetListOfPortMappings (TCP+UDP)', median(ours.list), ours.listCount],
      ['upnpc -u URL -l (process, minus netns exec)', upnpc, upnpcCount],
    ];
    console.log(`${MAPPINGS} mappings on miniupnpd in namespaces, median of ${ROUNDS} runs`);
    console.log(
      `${'method'.padEnd(48)} ${'ms'.padStart(8)} ${'entries'.padStart(8)} ${'vs upnpc'.padStart(9)}`,
    );
    for (const [name, ms, entries] of rows) {
      const ratio = upnpc > 0 ? `${(ms / upnpc).toFixed(2)}x` : 'n/a';
      console.log(
        `${name.padEnd(48)} ${ms.toFixed(1).padStart(8)} ${String(entries).padStart(8)} ${ratio.padStart(9)}`,
      );
    }
    console.log(`(ip netns exec alone: ${median(nsOverhead).toFixed(1)} ms, subtracted from upnpc)`);
  } finally {
    lab.cleanup();
  }
}
