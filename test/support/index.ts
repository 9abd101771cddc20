// What tests import: real mail servers, PostgreSQL, and waiting helpers.
import { inject } from 'vitest';
import type { MailServersInfo } from './mail-servers.ts';

export * from './mail-servers.ts';
export * from './databases.ts';
export * from './wait-for.ts';

/** The Dovecot + Postfix started once for the whole run by global-setup.ts. */
export function mailServers(): MailServersInfo {
  return inject('mailServers');
}
