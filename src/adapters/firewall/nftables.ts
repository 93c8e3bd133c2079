/**
 * nftables backend: bans live in our own table (`inet plex_warden` by default) — four sets
 * (hosts and interval sets for ranges, IPv4 and IPv6) whose elements carry their own timeout,
 * matched by `saddr @set drop` in an input chain AND a forward chain.
 * Why it matters: Docker-published ports (Plex in a container) are forwarded, not input; a ban
 * on input alone silently fails for them — the most common way home bans do nothing.
 * Known limits: chains run at priority filter-10 so they drop before Docker's and ufw's accept
 * rules; a range overlapping another banned range in the same interval set is refused by nft.
 * How to fix failures: the bot needs CAP_NET_ADMIN; `nft list table inet plex_warden` shows
 * what it did; deleting the table removes every ban (the next start re-applies them).
 *
 * Everything goes to nft as one JSON batch (`nft -j JSON`): no quoting, atomic per call.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { assertCanonical, type BlockTarget, parseBlockTarget } from '../../actions/block-policy.js';
import type { Clock } from '../../kernel/clock.js';
import { requireSuccess, runProgram } from './run-program.js';
import { type BlockItem, type FirewallBackend, type FirewallEntry, FirewallError } from './types.js';

export interface NftablesOptions {
  readonly table: string;
  /** argv prefix that runs nft, e.g. ['nft'] or ['ip', 'netns', 'exec', NS, 'nft'] in tests. */
  readonly nft: readonly string[];
  readonly timeoutMs: number;
  readonly clock: Clock;
}

const SETS = {
  host4: { name: 'blocked4', type: 'ipv4_addr', flags: ['timeout'] },
  host6: { name: 'blocked6', type: 'ipv6_addr', flags: ['timeout'] },
  net4: { name: 'blockednet4', type: 'ipv4_addr', flags: ['interval', 'timeout'] },
  net6: { name: 'blockednet6', type: 'ipv6_addr', flags: ['interval', 'timeout'] },
} as const satisfies Record<string, { name: string; type: string; flags: readonly string[] }>;

type SetKey = keyof typeof SETS;

/** Linux limits one argv string to 128 KiB (MAX_ARG_STRLEN); stay well below. */
const MAX_ARG_BYTES = 100_000;

/** nft keeps comments up to 128 bytes; printable ASCII keeps the JSON and `nft list` tidy. */
const MAX_COMMENT = 120;

export class NftablesBackend implements FirewallBackend {
  readonly name = 'nftables' as const;

  constructor(private readonly options: NftablesOptions) {}

  async prepare(signal?: AbortSignal): Promise<void> {
    const { table } = this.options;
    const commands: unknown[] = [{ add: { table: { family: 'inet', name: table } } }];
    for (const set of Object.values(SETS)) {
      commands.push({
        add: { set: { family: 'inet', table, name: set.name, type: set.type, flags: set.flags } },
      });
    }
    for (const hook of ['input', 'forward'] as const) {
      commands.push({
        add: {
          chain: { family: 'inet', table, name: hook, type: 'filter', hook, prio: -10, policy: 'accept' },
        },
      });
      // Flush and re-add in the same batch: the rules are exactly these, never duplicated.
      commands.push({ flush: { chain: { family: 'inet', table, name: hook } } });
      for (const set of Object.values(SETS)) {
        commands.push({
          add: {
            rule: {
              family: 'inet',
              table,
              chain: hook,
              expr: [
                {
                  match: {
                    op: '==',
                    left: { payload: { protocol: set.type === 'ipv4_addr' ? 'ip' : 'ip6', field: 'saddr' } },
                    right: `@${set.name}`,
                  },
                },
                { counter: null },
                { drop: null },
              ],
            },
          },
        });
      }
    }
    await this.apply(commands, 'creating the nftables table', signal);
  }

  async block(target: BlockTarget, durationMs: number, comment: string, signal?: AbortSignal): Promise<void> {
    await this.blockMany([{ target, durationMs, comment }], signal);
  }

  /** Many bans in one atomic nft batch: re-applying a thousand bans after a reboot takes one exec. */
  async blockMany(items: readonly BlockItem[], signal?: AbortSignal): Promise<void> {
    if (items.length === 0) return;
    const commands = items.flatMap(({ target, durationMs, comment }) => {
      const ref = { family: 'inet', table: this.options.table, name: SETS[this.setFor(target)].name };
      const timeout = Math.max(1, Math.ceil(durationMs / 1_000));
      const element = { elem: { val: this.value(target), timeout, comment: cleanComment(comment) } };
      // add (creates if missing) + delete + add, in one atomic batch: the timeout is reset on
      // every kernel, there is never a moment without the ban, and a missing element cannot
      // fail the batch.
      return [
        { add: { element: { ...ref, elem: [element] } } },
        { delete: { element: { ...ref, elem: [this.value(target)] } } },
        { add: { element: { ...ref, elem: [element] } } },
      ];
    });
    const what =
      items.length === 1 ? `blocking ${items[0]?.target.text}` : `blocking ${items.length} addresses`;
    await this.apply(commands, what, signal);
  }

  async unblock(target: BlockTarget, signal?: AbortSignal): Promise<void> {
    const set = SETS[this.setFor(target)].name;
    const ref = { family: 'inet', table: this.options.table, name: set };
    try {
      await this.apply(
        [{ delete: { element: { ...ref, elem: [this.value(target)] } } }],
        `unblocking ${target.text}`,
        signal,
      );
    } catch (error) {
      // Deleting an element that is already gone (expired by its own timeout, removed by hand)
      // fails with exit 1 for every error, and nft 1.0.6 words it differently per set kind:
      // "No such file or directory" (kernel ENOENT) for hosts, "element does not exist" (its
      // own interval check) for ranges. So ask the set itself: absent is what we wanted.
      if (!(error instanceof FirewallError)) throw error;
      const present = await this.setHolds(set, target, signal).catch(() => true);
      if (present) throw error;
    }
  }

  /** Whether the named set still holds the target (false also when the table is gone). */
  private async setHolds(set: string, target: BlockTarget, signal?: AbortSignal): Promise<boolean> {
    const argv = [...this.options.nft, '-j', 'list', 'set', 'inet', this.options.table, set];
    const result = await runProgram(argv, { timeoutMs: this.options.timeoutMs, signal });
    if (result.exitCode !== 0) {
      // Our table gone (deleted by hand, a reboot) holds nothing; any other failure — nft
      // missing, no permission — is "cannot tell", and the caller keeps the original error.
      const tables = await runProgram([...this.options.nft, '-j', 'list', 'tables'], {
        timeoutMs: this.options.timeoutMs,
        signal,
      });
      if (tables.exitCode === 0 && !hasTable(tables.stdout, this.options.table)) return false;
      throw new FirewallError('nft could not list the set', { backend: 'nftables', stderr: result.stderr });
    }
    return parseNftList(result.stdout, this.options.clock.now()).some((e) => e.target === target.text);
  }

  async list(signal?: AbortSignal): Promise<readonly FirewallEntry[]> {
    const argv = [...this.options.nft, '-j', 'list', 'table', 'inet', this.options.table];
    const result = requireSuccess(
      'nftables',
      argv,
      await runProgram(argv, { timeoutMs: this.options.timeoutMs, signal }),
      'listing the nftables table',
    );
    return parseNftList(result.stdout, this.options.clock.now());
  }

  private setFor(target: BlockTarget): SetKey {
    assertCanonical(target);
    if (target.family === 'ipv4') return target.isHost ? 'host4' : 'net4';
    return target.isHost ? 'host6' : 'net6';
  }

  private value(target: BlockTarget): unknown {
    return target.isHost ? target.address : { prefix: { addr: target.address, len: target.prefix } };
  }

  private async apply(commands: readonly unknown[], what: string, signal?: AbortSignal): Promise<void> {
    const json = JSON.stringify({ nftables: commands });
    // nft cannot read `-f -` from a socket (Node's stdio pipes are sockets: "Could not open
    // /dev/stdin"), so the JSON goes as one argv element — still no shell, no quoting — or,
    // when too big for one argument, through a private temporary file.
    if (Buffer.byteLength(json) <= MAX_ARG_BYTES) {
      const argv = [...this.options.nft, '-j', json];
      requireSuccess(
        'nftables',
        argv,
        await runProgram(argv, { timeoutMs: this.options.timeoutMs, signal }),
        what,
      );
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'plex-warden-nft-'));
    try {
      const file = join(dir, 'batch.json');
      await writeFile(file, json, { mode: 0o600 });
      const argv = [...this.options.nft, '-j', '-f', file];
      requireSuccess(
        'nftables',
        argv,
        await runProgram(argv, { timeoutMs: this.options.timeoutMs, signal }),
        what,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Reads `nft -j list table|set` output. Quirks (test-rig.md): `elem` is absent when a set is
 * empty; an element without timeout or comment is a bare string, otherwise
 * `{elem: {val, timeout, expires, comment}}`; ranges are `{prefix: {addr, len}}` (or `{range}`
 * for intervals that are not a prefix, which we never write and skip).
 */
export function parseNftList(json: string, now: number): FirewallEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new FirewallError('nft printed something that is not JSON', {
      backend: 'nftables',
      stderr: json.slice(0, 200),
    });
  }
  const listing = v.safeParse(NftListingSchema, parsed);
  if (!listing.success) return [];
  const setNames = new Set<string>(Object.values(SETS).map((s) => s.name));
  const out: FirewallEntry[] = [];
  for (const item of listing.output.nftables) {
    const set = v.safeParse(NftSetSchema, item);
    if (!set.success || !setNames.has(set.output.set.name)) continue;
    for (const raw of set.output.set.elem) {
      const entry = readElement(raw, now);
      if (entry) out.push(entry);
    }
  }
  return out;
}

// libnftables-json(5): `{"nftables": [{"metainfo": …}, {"set": {"name", "elem": [...]}}]}`; an
// element is a bare value or `{"elem": {"val", "expires", "comment"}}`, a prefix
// `{"prefix": {"addr", "len"}}`. Objects stay loose: nft adds fields between versions.
const NftListingSchema = v.looseObject({ nftables: v.array(v.unknown()) });
const NftSetSchema = v.looseObject({
  set: v.looseObject({ name: v.string(), elem: v.optional(v.array(v.unknown()), []) }),
});
const NftValueSchema = v.union([
  v.string(),
  v.looseObject({ prefix: v.looseObject({ addr: v.string(), len: v.number() }) }),
]);
const NftElementSchema = v.looseObject({
  elem: v.looseObject({
    val: v.unknown(),
    expires: v.optional(v.unknown()),
    comment: v.optional(v.unknown()),
  }),
});

function readElement(raw: unknown, now: number): FirewallEntry | undefined {
  const element = v.safeParse(NftElementSchema, raw);
  const inner = element.success ? element.output.elem : undefined;
  const value = v.safeParse(NftValueSchema, inner === undefined ? raw : inner.val);
  if (!value.success) return undefined;
  const text =
    typeof value.output === 'string'
      ? value.output
      : `${value.output.prefix.addr}/${value.output.prefix.len}`;
  const target = parseBlockTarget(text);
  if (!target) return undefined;
  const expires = inner?.expires;
  const comment = inner?.comment;
  return {
    target: target.text,
    expiresAt: typeof expires === 'number' ? now + expires * 1_000 : undefined,
    comment: typeof comment === 'string' ? comment : undefined,
  };
}

/** Whether `nft -j list tables` output names our inet table. */
function hasTable(json: string, table: string): boolean {
  try {
    const items = (JSON.parse(json) as { nftables?: unknown }).nftables;
    return (
      Array.isArray(items) &&
      items.some((item) => {
        const t = (item as { table?: { family?: unknown; name?: unknown } }).table;
        return t?.family === 'inet' && t.name === table;
      })
    );
  } catch {
    return true;
  }
}

function cleanComment(comment: string): string {
  const cleaned = comment
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > MAX_COMMENT ? cleaned.slice(0, MAX_COMMENT) : cleaned || 'plex-warden';
}
