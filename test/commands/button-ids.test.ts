import { describe, expect, it } from 'vitest';
import { commandButtonId, parseCommandButtonId } from '../../src/commands/types.js';

describe('command button ids', () => {
  it('round-trip the command and the rest, IPv6 colons included', () => {
    const id = commandButtonId('whois', 'block:2001:db8:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(id.length).toBeLessThanOrEqual(100);
    expect(parseCommandButtonId(id)).toEqual({
      command: 'whois',
      rest: 'block:2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
    });
  });

  it('refuse ids over Discord’s 100 characters, and ids that are not ours', () => {
    expect(() => commandButtonId('whois', 'x'.repeat(90))).toThrow(/100 characters/);
    expect(parseCommandButtonId('pw-proposal:approve:1')).toBeUndefined();
    expect(parseCommandButtonId('pw-cmd:WHOIS:block:1.2.3.4')).toBeUndefined();
    expect(parseCommandButtonId('pw-cmd:whois:')).toBeUndefined();
  });
});
