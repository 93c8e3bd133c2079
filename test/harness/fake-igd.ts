import { createSocket, type Socket } from 'node:dgram';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackHttpServer } from './loopback-http-server.js';

/**
 * A small loopback UPnP IGD for what miniupnpd does not do: IGD:1-only devices, WANPPPConnection,
 * odd tag casing, missing fields, huge tables, hanging and garbage answers. It only listens on
 * 127.0.0.1. Companion SSDP and NAT-PMP responders answer on loopback too.
 */
export interface FakeMapping {
  remoteHost?: string;
  externalPort: number | string;
  protocol: string;
  internalPort?: number;
  internalClient?: string;
  enabled?: string;
  description?: string;
  lease?: number | string;
}

export type FakeIgdFlavor = 'igd2' | 'igd1' | 'ppp' | 'odd-casing' | 'no-wan-service';

export interface FakeIgdOptions {
  flavor?: FakeIgdFlavor;
  externalIp?: string;
  mappings?: FakeMapping[];
  /** Virtual table size: entries beyond `mappings` are generated on the fly. */
  tableSize?: number;
  /** How the router says "past the end": UPnP 713 (default), 402, or a bare HTTP 500. */
  endOfTable?: 713 | 402 | 'bare-500';
  /** Never answers these actions (or the description with 'description'). */
  hang?: ReadonlySet<string>;
  /** Answers garbage for these actions (or 'description'). */
  garbage?: ReadonlySet<string>;
  /** Delay per SOAP answer in ms. */
  delayMs?: number;
  /** Omit the <?xml?> prologue from faults, like miniupnpd. */
  faultWithoutPrologue?: boolean;
  /** Put the control URL relative to this URLBase path instead of the description URL. */
  urlBase?: boolean;
}

export interface SoapRequestRecord {
  action: string;
  soapAction: string | undefined;
  args: Record<string, string>;
  body: string;
}

export class FakeIgd {
  readonly requests: SoapRequestRecord[] = [];
  mappings: FakeMapping[];
  private readonly server = new LoopbackHttpServer('FakeIgd');
  port = 0;

  constructor(readonly options: FakeIgdOptions = {}) {
    this.mappings = [...(options.mappings ?? [])];
  }

  get descriptionUrl(): string {
    return `http://127.0.0.1:${this.port}/rootDesc.xml`;
  }

  async start(): Promise<this> {
    await this.server.start((req, res) => void this.handle(req, res));
    this.port = this.server.port;
    return this;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'GET' && req.url === '/rootDesc.xml') {
      if (this.options.hang?.has('description')) return;
      if (this.options.garbage?.has('description')) {
        res.writeHead(200, { 'content-type': 'text/xml' }).end('<root><device><<<garbage');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' }).end(this.description());
      return;
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/ctl/')) {
      res.writeHead(404).end();
      return;
    }
    const soapAction = req.headers.soapaction as string | undefined;
    const action = /#(\w+)"?$/.exec(soapAction ?? '')?.[1] ?? '';
    const args: Record<string, string> = {};
    for (const m of body.matchAll(/<(New\w+)>([^<]*)<\/\1>/g))
      args[m[1] as string] = unescapeXml(m[2] as string);
    this.requests.push({ action, soapAction, args, body });
    if (this.options.hang?.has(action)) return;
    if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
    if (this.options.garbage?.has(action)) {
      res.writeHead(200, { 'content-type': 'text/xml' }).end('\u0000\u0001 not xml <<< >>>');
      return;
    }
    const serviceType = this.serviceType();
    switch (action) {
      case 'GetExternalIPAddress':
        this.ok(
          res,
          action,
          serviceType,
          `<NewExternalIPAddress>${this.options.externalIp ?? '203.0.113.9'}</NewExternalIPAddress>`,
        );
        return;
      case 'GetGenericPortMappingEntry': {
        const index = Number(args.NewPortMappingIndex);
        const entry = this.entry(index);
        if (!entry) {
          const end = this.options.endOfTable ?? 713;
          if (end === 'bare-500') {
            res.writeHead(500, { 'content-type': 'text/html' }).end('<html>Internal Server Error</html>');
            return;
          }
          this.fault(res, end, end === 713 ? 'SpecifiedArrayIndexInvalid' : 'Invalid Args');
          return;
        }
        const tag = (name: string, value: unknown) =>
          value === undefined ? '' : `<${name}>${value}</${name}>`;
        this.ok(
          res,
          action,
          serviceType,
          tag('NewRemoteHost', entry.remoteHost ?? '') +
            tag('NewExternalPort', entry.externalPort) +
            tag('NewProtocol', entry.protocol) +
            tag('NewInternalPort', entry.internalPort) +
            tag('NewInternalClient', entry.internalClient) +
            tag('NewEnabled', entry.enabled ?? '1') +
            tag(
              'NewPortMappingDescription',
              entry.description === undefined ? undefined : escapeXml(entry.description),
            ) +
            tag('NewLeaseDuration', entry.lease),
        );
        return;
      }
      case 'GetListOfPortMappings': {
        const wanted = args.NewProtocol;
        const max = Number(args.NewNumberOfPorts);
        const rows = this.mappings.filter((m) => m.protocol === wanted).slice(0, max);
        if (rows.length === 0) {
          this.fault(res, 730, 'PortMappingNotFound');
          return;
        }
        const list =
          '<?xml version="1.0"?><p:PortMappingList xmlns:p="urn:schemas-upnp-org:gw:WANIPConnection">' +
          rows
            .map(
              (m) =>
                `<p:PortMappingEntry><p:NewRemoteHost>${m.remoteHost ?? ''}</p:NewRemoteHost><p:NewExternalPort>${m.externalPort}</p:NewExternalPort><p:NewProtocol>${m.protocol}</p:NewProtocol><p:NewInternalPort>${m.internalPort}</p:NewInternalPort><p:NewInternalClient>${m.internalClient}</p:NewInternalClient><p:NewEnabled>1</p:NewEnabled><p:NewDescription>${escapeXml(m.description ?? '')}</p:NewDescription><p:NewLeaseTime>${m.lease ?? 0}</p:NewLeaseTime></p:PortMappingEntry>`,
            )
            .join('') +
          '</p:PortMappingList>';
        this.ok(res, action, serviceType, `<NewPortListing><![CDATA[${list}]]></NewPortListing>`);
        return;
      }
      case 'DeletePortMapping': {
        const before = this.mappings.length;
        this.mappings = this.mappings.filter(
          (m) => !(String(m.externalPort) === args.NewExternalPort && m.protocol === args.NewProtocol),
        );
        if (this.mappings.length === before) {
          this.fault(res, 714, 'NoSuchEntryInArray');
          return;
        }
        this.ok(res, action, serviceType, '');
        return;
      }
      case 'AddPortMapping':
        if (args.NewExternalPort === '80') {
          this.fault(res, 606, 'Action not authorized');
          return;
        }
        this.mappings.push({
          remoteHost: args.NewRemoteHost ?? '',
          externalPort: Number(args.NewExternalPort),
          protocol: args.NewProtocol ?? 'TCP',
          internalPort: Number(args.NewInternalPort),
          internalClient: args.NewInternalClient ?? '',
          description: args.NewPortMappingDescription ?? '',
          lease: Number(args.NewLeaseDuration ?? 0),
        });
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:AddPortMappingResponse xmlns:u="${serviceType}"/></s:Body></s:Envelope>`,
          );
        return;
      default:
        this.fault(res, 401, 'Invalid Action');
    }
  }

  private entry(index: number): FakeMapping | undefined {
    if (index < this.mappings.length) return this.mappings[index];
    const size = this.options.tableSize ?? 0;
    if (index >= size) return undefined;
    return {
      externalPort: 20000 + (index % 40000),
      protocol: index % 2 === 0 ? 'TCP' : 'UDP',
      internalPort: 20000 + (index % 40000),
      internalClient: '192.168.1.50',
      description: `torrent ${index}`,
      lease: 3600,
    };
  }

  private ok(res: ServerResponse, action: string, serviceType: string, inner: string): void {
    const casing = this.options.flavor === 'odd-casing';
    const env = casing ? 'SOAP-ENV' : 's';
    res
      .writeHead(200, { 'content-type': 'text/xml; charset="utf-8"' })
      .end(
        `<?xml version="1.0"?>\r\n<${env}:Envelope xmlns:${env}="http://schemas.xmlsoap.org/soap/envelope/"><${env}:Body><m:${action}Response xmlns:m="${serviceType}">${inner}</m:${action}Response></${env}:Body></${env}:Envelope>`,
      );
  }

  private fault(res: ServerResponse, code: number, description: string): void {
    const prologue = this.options.faultWithoutPrologue === false ? '<?xml version="1.0"?>\r\n' : '';
    res
      .writeHead(500, { 'content-type': 'text/xml; charset="utf-8"' })
      .end(
        `${prologue}<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${description}</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`,
      );
  }

  serviceType(): string {
    switch (this.options.flavor ?? 'igd2') {
      case 'igd2':
        return 'urn:schemas-upnp-org:service:WANIPConnection:2';
      case 'ppp':
        return 'urn:schemas-upnp-org:service:WANPPPConnection:1';
      default:
        return 'urn:schemas-upnp-org:service:WANIPConnection:1';
    }
  }

  private description(): string {
    const flavor = this.options.flavor ?? 'igd2';
    const v = flavor === 'igd2' ? 2 : 1;
    const control = this.options.urlBase ? 'ctl/IPConn' : '/ctl/IPConn';
    const urlBase = this.options.urlBase ? `<URLBase>http://127.0.0.1:${this.port}/</URLBase>` : '';
    const wanService =
      flavor === 'no-wan-service'
        ? ''
        : `<service><serviceType>${this.serviceType()}</serviceType><serviceId>urn:upnp-org:serviceId:WANConn1</serviceId><controlURL>${control}</controlURL><eventSubURL>/evt/IPConn</eventSubURL><SCPDURL>/WANIPCn.xml</SCPDURL></service>`;
    if (flavor === 'odd-casing') {
      // Upper-case tags, a namespace prefix, and the WAN service buried two devices deep.
      return `<?xml version="1.0"?><ns0:ROOT xmlns:ns0="urn:schemas-upnp-org:device-1-0"><ns0:SPECVERSION><ns0:MAJOR>1</ns0:MAJOR></ns0:SPECVERSION><ns0:DEVICE><ns0:DEVICETYPE>urn:schemas-upnp-org:device:InternetGatewayDevice:1</ns0:DEVICETYPE><ns0:FRIENDLYNAME>ODD &amp; Router</ns0:FRIENDLYNAME><ns0:DEVICELIST><ns0:DEVICE><ns0:DEVICETYPE>urn:schemas-upnp-org:device:WANDevice:1</ns0:DEVICETYPE><ns0:DEVICELIST><ns0:DEVICE><ns0:DEVICETYPE>urn:schemas-upnp-org:device:WANConnectionDevice:1</ns0:DEVICETYPE><ns0:SERVICELIST><ns0:SERVICE><ns0:SERVICETYPE>urn:schemas-upnp-org:service:WANIPConnection:1</ns0:SERVICETYPE><ns0:CONTROLURL>/ctl/IPConn</ns0:CONTROLURL></ns0:SERVICE></ns0:SERVICELIST></ns0:DEVICE></ns0:DEVICELIST></ns0:DEVICE></ns0:DEVICELIST></ns0:DEVICE></ns0:ROOT>`;
    }
    return `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>${v - 1}</minor></specVersion>${urlBase}
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:${v}</deviceType><friendlyName>Fake Router</friendlyName><manufacturer>plex-warden tests</manufacturer>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><controlURL>/ctl/L3F</controlURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:${v}</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType><controlURL>/ctl/CmnIfCfg</controlURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:${v}</deviceType>
<serviceList>${wanService}</serviceList></device></deviceList></device></deviceList></device></root>`;
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Answers M-SEARCH on a loopback port with the given LOCATION (and optional junk first). */
export class FakeSsdpResponder {
  private socket: Socket | undefined;
  port = 0;
  readonly searches: string[] = [];

  constructor(private readonly answers: (st: string) => string[]) {}

  async start(): Promise<this> {
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (message, rinfo) => {
      const text = message.toString('latin1');
      const st = /^ST:\s*(.+)$/im.exec(text)?.[1]?.trim() ?? '';
      this.searches.push(st);
      for (const answer of this.answers(st)) socket.send(answer, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    this.port = socket.address().port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
  }
}

export function ssdpAnswer(location: string, st: string): string {
  return `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: ${st}\r\nUSN: uuid:fake::${st}\r\nEXT:\r\nSERVER: Fake/1.0 UPnP/1.1 fake/1\r\nLOCATION: ${location}\r\n\r\n`;
}

/** NAT-PMP on loopback: answers the public address request after `ignoreFirst` packets. */
export class FakeNatPmp {
  private socket: Socket | undefined;
  port = 0;
  received = 0;

  constructor(
    private readonly externalIp: string,
    private readonly behaviour: { ignoreFirst?: number; silent?: boolean; resultCode?: number } = {},
  ) {}

  async start(): Promise<this> {
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (message, rinfo) => {
      this.received++;
      if (this.behaviour.silent || this.received <= (this.behaviour.ignoreFirst ?? 0)) return;
      if (message.length !== 2 || message[0] !== 0 || message[1] !== 0) return;
      const out = Buffer.alloc(12);
      out[1] = 0x80;
      out.writeUInt16BE(this.behaviour.resultCode ?? 0, 2);
      out.writeUInt32BE(1234, 4);
      this.externalIp.split('.').forEach((part, i) => {
        out[8 + i] = Number(part);
      });
      socket.send(out, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    this.port = socket.address().port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
  }
}
