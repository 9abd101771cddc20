// The strict IMAP commands against a real Dovecot: a refusal becomes a classified error carrying the server's words.
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendMessage,
  classifyImapError,
  closeQuietly,
  connectImap,
  copyMessages,
  MailServerError,
  moveMessages,
  searchUids,
} from '../../src/mail/imap/index.ts';
import { OutboundPolicy } from '../../src/outbound/index.ts';
import { createMailUser, deliver, mailServers } from '../support/index.ts';
import { rawMessage } from '../support/sync.ts';

describe('strict IMAP commands', () => {
  const servers = mailServers();
  let client: ImapFlow;
  let uid: number;

  beforeAll(async () => {
    const user = await createMailUser(servers, 'strict');
    uid = await deliver(servers, user.username, rawMessage('Kept'));
    client = await connectImap({
      host: servers.imap.host,
      port: servers.imap.port,
      security: 'none',
      username: user.username,
      password: user.password,
      outbound: new OutboundPolicy(['127.0.0.0/8']),
    });
    await client.mailboxOpen('INBOX');
  });
  afterAll(async () => {
    if (client) await closeQuietly(client);
  });

  it('answer what the server answered', async () => {
    expect(await searchUids(client, { all: true })).toEqual([uid]);
    expect((await appendMessage(client, 'INBOX', rawMessage('Appended'), ['\\Seen'])).uid).toBe(uid + 1);
  });

  it('file a missing folder as no_such_folder, with the server’s words', async () => {
    for (const attempt of [
      () => appendMessage(client, 'Nowhere', rawMessage('Lost'), []),
      () => moveMessages(client, String(uid), 'Nowhere'),
      () => copyMessages(client, String(uid), 'Nowhere'),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailServerError);
      expect(error).toMatchObject({
        failure: 'no_such_folder',
        policy: 'give_up',
        message: expect.stringMatching(/Nowhere|exist/i),
      });
    }
    expect(await searchUids(client, { all: true })).toHaveLength(2); // nothing moved away
  });

  it('classify a folder that cannot be selected the same way', async () => {
    const error = await client.mailboxOpen('Nowhere').catch((e: unknown) => e);
    expect(classifyImapError(error)).toMatchObject({ failure: 'no_such_folder' });
  });
});
