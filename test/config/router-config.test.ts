import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const base = { PLEX_URL: 'http://127.0.0.1:32400' };

describe('router configuration', () => {
  it('defaults to SSDP discovery and NAT-PMP to the default gateway, with bounded timeouts', () => {
    const { router } = loadConfig(base, { requireDiscord: false });
    expect(router).toEqual({
      upnpUrl: undefined,
      discovery: 'ssdp',
      discoveryTimeoutMs: 2_000,
      ssdpBindAddress: undefined,
      natPmpGateway: 'auto',
      timeoutMs: 3_000,
      maxMappings: 1_000,
      walkTimeoutMs: 6_000,
    });
  });

  it('reads every key', () => {
    const { router } = loadConfig(
      {
        ...base,
        ROUTER_UPNP_URL: 'http://192.168.1.1:5000/rootDesc.xml',
        ROUTER_DISCOVERY: 'OFF',
        ROUTER_DISCOVERY_TIMEOUT: '500ms',
        ROUTER_SSDP_BIND: '192.168.1.20',
        NATPMP_GATEWAY: '192.168.1.1',
        ROUTER_TIMEOUT: '1s',
        UPNP_MAX_MAPPINGS: '50',
        UPNP_WALK_TIMEOUT: '2s',
      },
      { requireDiscord: false },
    );
    expect(router).toMatchObject({
      upnpUrl: 'http://192.168.1.1:5000/rootDesc.xml',
      discovery: 'off',
      ssdpBindAddress: '192.168.1.20',
      natPmpGateway: '192.168.1.1',
      timeoutMs: 1_000,
      maxMappings: 50,
      walkTimeoutMs: 2_000,
    });
  });

  it('reports every bad router key at once', () => {
    let error: unknown;
    try {
      loadConfig(
        {
          ...base,
          ROUTER_UPNP_URL: 'ftp://router/desc.xml',
          ROUTER_DISCOVERY: 'maybe',
          NATPMP_GATEWAY: 'router.lan',
          ROUTER_SSDP_BIND: 'fe80::1',
          UPNP_MAX_MAPPINGS: '0',
        },
        { requireDiscord: false },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of [
      'ROUTER_UPNP_URL',
      'ROUTER_DISCOVERY',
      'NATPMP_GATEWAY',
      'ROUTER_SSDP_BIND',
      'UPNP_MAX_MAPPINGS',
    ]) {
      expect(problems).toContain(key);
    }
  });
});
