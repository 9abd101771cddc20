// Vitest global setup: one Dovecot + Postfix for the whole run (tests make their own
// users, so they never share a mailbox), and one PostgreSQL reachability check.
// Tests that need a differently configured server call startMailServers() themselves.
// The web app is built once, for the browser tests.
import type { TestProject } from 'vitest/node';
import { checkPostgres, type PostgresStatus } from './databases.ts';
import { infoOf, startMailServers, type MailServersInfo } from './mail-servers.ts';
import { buildWebApp } from './web-app.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mailServers: MailServersInfo;
    postgres: PostgresStatus;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [servers, postgres] = await Promise.all([startMailServers(), checkPostgres(), buildWebApp()]);
  if (postgres.error) {
    const verdict = process.env.CI ? 'CI requires it: those tests will fail' : 'PostgreSQL tests will be skipped';
    console.warn(`PostgreSQL is not reachable at ${postgres.url} (${postgres.error}): ${verdict}`);
  }
  project.provide('mailServers', infoOf(servers));
  project.provide('postgres', postgres);
  return () => servers.stop();
}
