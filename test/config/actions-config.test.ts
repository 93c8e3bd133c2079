import { describe, expect, it } from 'vitest';
import { readActionsConfig } from '../../src/config/actions.js';
import { EnvReader } from '../../src/config/reader.js';

function read(env: Record<string, string>) {
  const r = new EnvReader(env);
  return { config: readActionsConfig(r), problems: r.problems };
}

describe('actions config', () => {
  it('defaults to recording only, one approver, 30 minutes, auto-block off', () => {
    const { config, problems } = read({});
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      firewallBackend: 'none',
      nftTable: 'plex_warden',
      approvalsRequired: 1,
      proposalTtlMs: 30 * 60_000,
      banDefaultMs: 86_400_000,
      autoBlock: false,
      autoBlockMinSeverity: 'high',
    });
  });

  it('reports every bad key together', () => {
    const { problems } = read({
      FIREWALL_BACKEND: 'iptables',
      NFT_TABLE: 'bad table;',
      APPROVALS_REQUIRED: '0',
      PROPOSAL_TTL: 'soon',
      NFT_PATH: 'nft; rm -rf /',
      AUTO_BLOCK_MIN_SEVERITY: 'extreme',
    });
    expect(problems.map((p) => p.split(/[= ]/)[0])).toEqual([
      'FIREWALL_BACKEND',
      'NFT_TABLE',
      'NFT_PATH',
      'APPROVALS_REQUIRED',
      'PROPOSAL_TTL',
      'AUTO_BLOCK_MIN_SEVERITY',
    ]);
  });

  it('needs an absolute BLOCK_COMMAND for the command backend', () => {
    expect(read({ FIREWALL_BACKEND: 'command' }).problems[0]).toMatch(/^BLOCK_COMMAND is missing/);
    expect(read({ FIREWALL_BACKEND: 'command', BLOCK_COMMAND: 'block.sh' }).problems[0]).toMatch(
      /^BLOCK_COMMAND=/,
    );
    expect(read({ FIREWALL_BACKEND: 'command', BLOCK_COMMAND: '/usr/local/bin/block' }).problems).toEqual([]);
  });
});
