import { ImapFlow } from 'imapflow';
import { it } from 'vitest';
import { createMailUser, mailServers, sendViaPostfix } from '../support/index.ts';
it('timing', async () => {
  const servers = mailServers();
  const user = await createMailUser(servers);
  let t = performance.now();
  const client = new ImapFlow({ host: servers.imap.host, port: servers.imap.port, secure: false, logger: false, auth: { user: user.username, pass: 'wrong' } });
  await client.connect().catch(() => {});
  console.log('imap wrong', performance.now() - t); t = performance.now();
  await sendViaPostfix(servers, { from: user.address, to: user.address, raw: 'Subject: x\r\n\r\nx\r\n', auth: { user: user.username, pass: 'wrong' } }).catch(() => {});
  console.log('smtp wrong', performance.now() - t); t = performance.now();
  await sendViaPostfix(servers, { from: user.address, to: user.address, raw: 'Subject: x\r\n\r\nx\r\n', auth: { user: user.username, pass: user.password } });
  console.log('smtp right', performance.now() - t); t = performance.now();
});
