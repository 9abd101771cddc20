// A TCP proxy in front of a server whose replies can be slowed to a set rate: a
// first sync then lasts long enough, on any machine, to be watched in progress.
import net from 'node:net';
import type { Endpoint } from './mail-servers.ts';

export interface ThrottleProxy extends Endpoint {
  /** Bytes per second from the server to the client; null: full speed. */
  setRate(bytesPerSecond: number | null): void;
  close(): Promise<void>;
}

export async function startThrottleProxy(
  target: Endpoint,
  bytesPerSecond: number | null = null,
): Promise<ThrottleProxy> {
  let rate = bytesPerSecond;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      if (rate === null) return;
      upstream.pause();
      setTimeout(() => upstream.resume(), (chunk.length / rate) * 1000);
    });
    upstream.on('end', () => client.end());
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    setRate: (value) => (rate = value),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
