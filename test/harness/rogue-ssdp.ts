/**
 * Runs inside a lab namespace: a LAN device that answers every SSDP M-SEARCH with a LOCATION
 * on another host (argv[2]), and a listener on that other host's address and port (argv[3],
 * argv[4]) that reports each connection on stdout. Multicast membership on argv[5].
 * Prints "READY" once both sockets listen.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const [location = '', victimHost = '', victimPort = '0', iface = ''] = process.argv.slice(2);

const victim = createServer((socket) => {
  process.stdout.write(`CONNECT ${socket.remoteAddress}\n`);
  socket.destroy();
});

const ssdp = createSocket({ type: 'udp4', reuseAddr: true });
ssdp.on('message', (message, rinfo) => {
  const text = message.toString('latin1');
  if (!text.startsWith('M-SEARCH')) return;
  const st = /^ST:\s*(.+)$/im.exec(text)?.[1]?.trim() ?? 'upnp:rootdevice';
  const answer = `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: ${st}\r\nUSN: uuid:rogue::${st}\r\nLOCATION: ${location}\r\nSERVER: rogue/1.0 UPnP/1.1\r\n\r\n`;
  ssdp.send(answer, rinfo.port, rinfo.address);
  process.stdout.write(`ANSWERED ${rinfo.address}\n`);
});

victim.listen(Number(victimPort), victimHost, () => {
  ssdp.bind(1900, () => {
    ssdp.addMembership('239.255.255.250', iface);
    process.stdout.write('READY\n');
  });
});
