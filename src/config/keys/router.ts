import { parseIp } from '../../net/ip.js';
import { kinds as k } from '../key.js';
import { section } from '../section.js';

const ipv4 = (raw: string) => {
  const ip = parseIp(raw);
  return ip?.kind() === 'ipv4' ? ip.toString() : undefined;
};

export const ROUTER = section('router', 'Router (UPnP IGD and NAT-PMP audit: check router-upnp)', {
  ROUTER_UPNP_URL: k.url({
    field: 'upnpUrl',
    description:
      'Device description URL of the router\'s UPnP service; set it to skip SSDP discovery.\nFind it with `upnpc -l` ("desc: ..."). Example: http://192.168.1.1:5000/rootDesc.xml',
  }),
  ROUTER_DISCOVERY: k.enum(['ssdp', 'off'], {
    field: 'discovery',
    default: 'ssdp',
    description:
      'ssdp: ask the LAN for an Internet Gateway Device by multicast; off: never.\nWith off and no ROUTER_UPNP_URL the router check reports that it was skipped.',
  }),
  ROUTER_DISCOVERY_TIMEOUT: k.duration({
    field: 'discoveryTimeoutMs',
    default: '2s',
    min: '100ms',
    max: '30s',
    description: 'How long to wait for SSDP answers.',
  }),
  ROUTER_SSDP_BIND: k.custom(ipv4, {
    field: 'ssdpBindAddress',
    kind: 'ipv4',
    expected: () => 'a local IPv4 address of the LAN interface',
    description:
      'Local IPv4 address to send SSDP from, on a host with several interfaces (default: by route).',
  }),
  NATPMP_GATEWAY: k.custom(
    (raw): string | undefined => {
      const lower = raw.toLowerCase();
      return lower === 'auto' || lower === 'off' ? lower : ipv4(raw);
    },
    {
      field: 'natPmpGateway',
      kind: 'gateway',
      default: 'auto',
      expected: () => 'auto, off or the gateway IPv4 address',
      description:
        "NAT-PMP public-address request (udp 5351): auto = the default route's gateway, off, or the\ngateway's IPv4 address.",
    },
  ),
  ROUTER_TIMEOUT: k.duration({
    field: 'timeoutMs',
    default: '3s',
    min: '100ms',
    max: '1m',
    description: 'Upper bound on one UPnP request or one NAT-PMP exchange.',
  }),
  UPNP_MAX_MAPPINGS: k.int({
    field: 'maxMappings',
    default: '1000',
    min: 1,
    max: 100_000,
    description: 'Most port mappings read from the router; beyond it the check says the list was capped.',
  }),
  UPNP_WALK_TIMEOUT: k.duration({
    field: 'walkTimeoutMs',
    default: '6s',
    min: '100ms',
    max: '10m',
    description: 'Time bound for reading the whole mapping table.',
  }),
});
