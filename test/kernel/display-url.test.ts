import { describe, expect, it } from 'vitest';
import { displayUrl } from '../../src/kernel/display-url.js';

describe('displayUrl', () => {
  it('drops query, fragment and user info, keeps scheme, host, port and path', () => {
    expect(displayUrl('http://10.0.0.2:32400/?X-Plex-Token=abc')).toBe('http://10.0.0.2:32400/');
    expect(displayUrl('https://owner:hunter2@plex.tv/api/v2?x=1#y')).toBe('https://plex.tv/api/v2');
    expect(displayUrl('http://192.168.1.1:5000/rootDesc.xml')).toBe('http://192.168.1.1:5000/rootDesc.xml');
    expect(displayUrl('http://127.0.0.1:32400')).toBe('http://127.0.0.1:32400');
  });

  it('cleans text that does not parse as a URL too', () => {
    expect(displayUrl('plex.example.com:32400?X-Plex-Token=abc')).toBe('plex.example.com:32400');
    expect(displayUrl('user:pw@plex.example.com:99999/x')).toBe('plex.example.com:99999/x');
    expect(displayUrl('http://user:pw@[bad/x?t=1')).toBe('http://[bad/x');
  });
});
