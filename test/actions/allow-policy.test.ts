import { describe, expect, it } from 'vitest';
import { decideAllow } from '../../src/actions/allow-policy.js';
import { UserError } from '../../src/kernel/errors.js';

describe('decideAllow', () => {
  it('adds one address directly; anything wider or forced is a proposal', () => {
    expect(decideAllow('198.51.100.7', false)).toMatchObject({
      kind: 'direct',
      target: { text: '198.51.100.7' },
    });
    expect(decideAllow('2001:db8::7', false)).toMatchObject({ kind: 'direct' });
    expect(decideAllow('198.51.100.7', true)).toMatchObject({ kind: 'proposal', force: true });
    expect(decideAllow('198.51.100.0/24', false)).toMatchObject({ kind: 'proposal', force: false });
    expect(decideAllow('10.1.0.0/16', false)).toMatchObject({ kind: 'proposal' });
    expect(decideAllow('2001:db8::/32', false)).toMatchObject({ kind: 'proposal' });
  });

  it.each(['0.0.0.0/1', '128.0.0.0/1', '10.0.0.0/15', '::/1', '8000::/1', '2001:db8::/31'])(
    '%s is wider than IPv4 /16 or IPv6 /32: needs force, then is a proposal',
    (cidr) => {
      expect(() => decideAllow(cidr, false)).toThrow(/force/);
      expect(decideAllow(cidr, true)).toMatchObject({ kind: 'proposal', force: true });
    },
  );

  it.each(['0.0.0.0/0', '::/0', '010.0.0.1', 'garbage'])('refuses %s even with force', (cidr) => {
    expect(() => decideAllow(cidr, true)).toThrow(UserError);
  });
});
