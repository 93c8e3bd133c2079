import { describe, expect, it } from 'vitest';
import { addressProblem, parseCidr, parseIp } from '../../src/net/ip.js';

describe('parseIp / parseCidr and zero-padded IPv4', () => {
  it.each(['010.0.0.1', '10.00.0.1', '1.2.3.01', '::ffff:010.0.0.1', '010.0.0.0/8', '10.0.0.0/255.000.0.0'])(
    'refuses %s instead of reading it as octal',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
      expect(addressProblem(text)).toMatch(/leading zeros/);
    },
  );

  it('still reads zeros that are whole octets, and ordinary addresses', () => {
    expect(parseIp('10.0.0.1')?.toString()).toBe('10.0.0.1');
    expect(parseIp('100.0.0.0')?.toString()).toBe('100.0.0.0');
    expect(parseCidr('0.0.0.0/0')?.text).toBe('0.0.0.0/0');
    expect(parseCidr('10.0.0.0/255.0.0.0')?.text).toBe('10.0.0.0/8');
    expect(parseCidr('2001:db8::/32')?.text).toBe('2001:db8::/32');
    expect(addressProblem('10.0.0.1')).toBeUndefined();
  });

  it('never turns 010.0.0.1 into 8.0.0.1', () => {
    expect(parseIp('010.0.0.1')).toBeUndefined();
    expect(parseCidr('1.2.3.4/024')).toBeUndefined();
  });
});
