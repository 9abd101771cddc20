// A tiny SMTP server that fails on purpose, for the failures Postfix will not
// produce on demand. It speaks just enough of RFC 5321 for nodemailer.
import net from 'node:net';

export type Misbehaviour =
  /** Answers the end of the message data with a 554: the message is refused. */
  | 'refuse-message'
  /** Drops the connection when the client says DATA: nothing was handed over. */
  | 'drop-at-data'
  /** Takes the whole message, then drops the connection without a reply: it may have been delivered. */
  | 'drop-after-data'
  /** Refuses recipients whose address contains "refused" (550), accepts the message for the others. */
  | 'refuse-some-recipients';

export interface MisbehavingSmtp {
  port: number;
  /** How many messages were received in full. */
  received(): number;
  stop(): Promise<void>;
}

export async function startMisbehavingSmtp(mode: Misbehaviour): Promise<MisbehavingSmtp> {
  let received = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 misbehaving.test ESMTP');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          buffer = buffer.slice(end + 5);
          inData = false;
          received += 1;
          if (mode === 'drop-after-data') return void socket.destroy();
          reply(
            mode === 'refuse-message'
              ? '554 5.7.1 Message rejected: looks like spam to this test server'
              : '250 2.0.0 Ok: queued as TEST1',
          );
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const command = buffer.slice(0, eol).toUpperCase();
        buffer = buffer.slice(eol + 2);
        if (command.startsWith('EHLO')) reply('250-misbehaving.test\r\n250-SIZE 10485760\r\n250 8BITMIME');
        else if (command.startsWith('DATA')) {
          if (mode === 'drop-at-data') return void socket.destroy();
          inData = true;
          reply('354 go ahead');
        } else if (command.startsWith('RCPT') && mode === 'refuse-some-recipients' && command.includes('REFUSED')) {
          reply('550 5.1.1 No such user here');
        } else if (command.startsWith('QUIT')) {
          reply('221 bye');
          socket.end();
        } else reply('250 ok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received: () => received,
    stop: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
