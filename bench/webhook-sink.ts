/**
 * The benchmark's receiver, in a process of its own so that the relay and the baseline share it equally:
 * answers every POST with 204 at once and notes each webhook-id with when it first arrived (wall clock,
 * ms). `GET /stats` answers `{received, distinct, firstSeen: {id: ms}}`; `POST /reset` forgets.
 * Prints its port on stdout.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let received = 0;
let firstSeen = new Map<string, number>();

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ received, distinct: firstSeen.size, firstSeen: Object.fromEntries(firstSeen) }));
    return;
  }
  if (req.url === '/reset') {
    received = 0;
    firstSeen = new Map();
    res.writeHead(204).end();
    return;
  }
  req.resume();
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    const id = String(req.headers['webhook-id'] ?? '');
    received += 1;
    if (!firstSeen.has(id)) firstSeen.set(id, at);
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
