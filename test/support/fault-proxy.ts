// A TCP proxy in front of a server that misbehaves on demand, as a bad network
// does: it slows replies to a set rate, delays them, stalls (holds everything,
// closes nothing), cuts each connection after a number of bytes, or cuts the
// client off at the moment the server answers a given command (the SMTP end of
// data: the server took the message, the client never hears it).
import net from 'node:net';
import type { Endpoint } from './mail-servers.ts';

export interface Faults {
  /** Bytes per second from the server to the client; null: full speed. */
  rate: number | null;
  /** Each chunk from the server waits this long before it goes on. */
  delayMs: number;
  /** Nothing goes either way (the connections stay open) until this is set back to false. */
  stalled: boolean;
  /** Each connection is cut once this many bytes have gone from the server to the client; null: never. */
  cutAfterBytes: number | null;
  /** Once the client has sent this, the server's next reply is swallowed and the client cut off. */
  cutReplyAfter: string | null;
}

export interface FaultProxy extends Endpoint {
  set(faults: Partial<Faults>): void;
  /** Connections accepted so far (each one a login for IMAP). */
  connections(): number;
  /** Connections cut by `cutAfterBytes` or `cutReplyAfter`. */
  cuts(): number;
  close(): Promise<void>;
}

const HEALTHY: Faults = { rate: null, delayMs: 0, stalled: false, cutAfterBytes: null, cutReplyAfter: null };

export async function startFaultProxy(target: Endpoint, initial: Partial<Faults> = {}): Promise<FaultProxy> {
  let faults: Faults = { ...HEALTHY, ...initial };
  let accepted = 0;
  let cut = 0;
  const resumers = new Set<() => void>();
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let toClient = 0;
    let sent = '';
    let armed = false;
    let closed = false;
    const drop = () => {
      closed = true;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    const cutNow = () => {
      if (closed) return;
      cut += 1;
      drop();
    };
    /** Runs `forward` now, or once the stall ends. */
    const whenFlowing = (forward: () => void) => {
      if (!faults.stalled) return forward();
      const resume = () => {
        resumers.delete(resume);
        whenFlowing(forward);
      };
      resumers.add(resume);
    };

    client.on('data', (chunk: Buffer) => {
      client.pause();
      whenFlowing(() => {
        if (closed) return;
        upstream.write(chunk);
        if (faults.cutReplyAfter !== null) {
          sent = (sent + chunk.toString('latin1')).slice(-4096);
          if (sent.includes(faults.cutReplyAfter)) armed = true;
        }
        client.resume();
      });
    });
    upstream.on('data', (chunk: Buffer) => {
      upstream.pause();
      if (armed) return cutNow();
      const forward = () => {
        if (closed) return;
        const limit = faults.cutAfterBytes;
        if (limit !== null && toClient + chunk.length >= limit) {
          client.write(chunk.subarray(0, Math.max(0, limit - toClient)));
          return cutNow();
        }
        toClient += chunk.length;
        client.write(chunk);
        const wait = faults.rate === null ? 0 : (chunk.length / faults.rate) * 1000;
        setTimeout(() => upstream.resume(), wait);
      };
      const delayed = () => (faults.delayMs > 0 ? setTimeout(forward, faults.delayMs) : forward());
      whenFlowing(delayed);
    });
    upstream.on('end', () => whenFlowing(() => client.end()));
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    set(changes) {
      faults = { ...faults, ...changes };
      if (!faults.stalled) for (const resume of [...resumers]) resume();
    },
    connections: () => accepted,
    cuts: () => cut,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
