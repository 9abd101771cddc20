import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliver, startMailServers } from '../support/index.ts';
import type { MailServers } from '../support/index.ts';
import { signedInUser } from '../support/api.ts';
import { rawMessage, startSyncApi, subjectsIn, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

/** Implicit TLS for IMAP and STARTTLS for SMTP, against a server with a self-signed certificate. */
describe('a mailbox over TLS', () => {
  let servers: MailServers;
  let api: SyncTestApi;
  beforeAll(async () => {
    servers = await startMailServers({ tls: true });
    api = await startSyncApi();
  });
  afterAll(async () => {
    await api.close();
    await servers.stop();
  });

  function body(user: { address: string; username: string; password: string }, allowInvalidCertificate: boolean) {
    const imapTls = servers.imapTls;
    if (!imapTls) throw new Error('the TLS listener did not start');
    return {
      address: user.address,
      imap: {
        host: 'localhost',
        port: imapTls.port,
        security: 'tls',
        username: user.username,
        password: user.password,
        allowInvalidCertificate,
      },
      smtp: {
        host: 'localhost',
        port: servers.smtp.port,
        security: 'starttls',
        username: user.username,
        password: user.password,
        allowInvalidCertificate,
      },
      syncPeriod: '1m',
    };
  }

  it('refuses an unverifiable certificate unless the user allows it, then syncs', async () => {
    const user = await createMailUser(servers);
    await deliver(servers, user.username, rawMessage('over tls'));
    const owner = await signedInUser(api);
    const refused = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: owner.auth,
      payload: body(user, false),
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ error: { code: 'connection_failed', details: { failure: 'tls_failed' } } });

    const accepted = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: owner.auth,
      payload: body(user, true),
    });
    expect(accepted.statusCode).toBe(201);
    const { id } = accepted.json<{ id: string }>();
    await waitIdle(api, owner.auth, id);
    expect(await subjectsIn(api, id, 'INBOX')).toEqual(['over tls']);
  });
});
