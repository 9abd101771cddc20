// What tests import: real mail servers, PostgreSQL, and waiting helpers.
//
//   const servers = mailServers();                  // shared Dovecot + Postfix (global setup)
//   const user = await createMailUser(servers);     // fresh user: never share mailboxes
//   const uid = await deliver(servers, user.username, raw, { folder: 'INBOX', flags: ['\\Seen'] });
//   const other = await otherClient(servers, user); // ImapFlow as the user's other mail app
//   await sendViaPostfix(servers, { from, to: user.address, raw });
//   await waitFor(async () => ..., { what: 'the message to arrive' });
//
// A differently configured server (fewer capabilities, TLS): startMailServers(options)
// in beforeAll, and stop() in afterAll.
import { inject } from 'vitest';
import type { MailServersInfo } from './mail-servers.ts';

export * from './mail-servers.ts';
export * from './databases.ts';
export * from './wait-for.ts';

/** The Dovecot + Postfix started once for the whole run by global-setup.ts. */
export function mailServers(): MailServersInfo {
  return inject('mailServers');
}
