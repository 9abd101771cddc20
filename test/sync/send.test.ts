import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEngine } from '../../src/cli/serve.ts';
import { parseMessage } from '../../src/mail/mime/index.ts';
import type { ParsedMessage } from '../../src/mail/mime/index.ts';
import { createMailUser, deliver, mailServers, serverCopies } from '../support/index.ts';
import type { MailServersInfo, MailUser, ServerCopy } from '../support/index.ts';
import { closedPort, startMisbehavingSmtp } from '../support/misbehaving-smtp.ts';
import type { Misbehaviour } from '../support/misbehaving-smtp.ts';
import { connectTestMailbox, rawMessage, startSyncApi, storedLocations, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 200 };

/** What another mail app sees in a folder of `user`, parsed. */
async function serverFolder(
  servers: MailServersInfo,
  user: MailUser,
  folder: string,
): Promise<(ServerCopy & { parsed: ParsedMessage })[]> {
  return Promise.all(
    (await serverCopies(servers, user, folder)).map(async (m) => ({ ...m, parsed: await parseMessage(m.source) })),
  );
}

describe('sending', () => {
  let servers: MailServersInfo;
  let api: SyncTestApi;
  beforeAll(async () => {
    servers = mailServers();
    api = await startSyncApi();
  });
  afterAll(async () => {
    await api.close();
  });

  async function setUp(inbox: string[] = []) {
    const sender = await createMailUser(servers, 'sender');
    const recipient = await createMailUser(servers, 'recipient');
    for (const raw of inbox) await deliver(servers, sender.username, raw);
    const { owner, mailbox } = await connectTestMailbox(api, servers, sender, { syncPeriod: '1m' });
    await waitIdle(api, owner.auth, mailbox.id);
    const send = (body: Record<string, unknown>) =>
      api.app.inject({
        method: 'POST',
        url: '/api/v1/messages/send',
        headers: owner.auth,
        payload: { mailboxId: mailbox.id, ...body },
      });
    return { sender, recipient, owner, mailbox, send };
  }

  const sendRow = (id: string) =>
    api.context.store.db.selectFrom('sends').selectAll().where('id', '=', id).executeTakeFirst();

  it('delivers at once, and files exactly one \\Seen copy in Sent that Tandem then shows', async () => {
    const { sender, recipient, owner, mailbox, send } = await setUp();
    const response = await send({
      to: [recipient.address],
      subject: 'Hello from Tandem',
      text: 'The body, in plain words.',
    });
    expect(response.statusCode).toBe(202);
    const { id, messageId } = response.json<{ id: string; messageId: string }>();
    expect(messageId).toBe(`${id}@example.test`);

    await expect.poll(async () => (await serverFolder(servers, recipient, 'INBOX')).length, poll).toBe(1);
    const [received] = await serverFolder(servers, recipient, 'INBOX');
    expect(received?.parsed).toMatchObject({
      subject: 'Hello from Tandem',
      from: { address: sender.address },
      text: 'The body, in plain words.',
      messageId,
    });

    await expect
      .poll(
        async () =>
          (await serverFolder(servers, sender, 'Sent')).map((m) => [m.parsed.messageId, m.flags.includes('\\Seen')]),
        poll,
      )
      .toEqual([[messageId, true]]);
    const view = await api.app.inject({ method: 'GET', url: `/api/v1/sends/${id}`, headers: owner.auth });
    expect(view.json()).toMatchObject({
      id,
      mailboxId: mailbox.id,
      state: 'sent',
      messageId,
      subject: 'Hello from Tandem',
      to: [recipient.address],
      error: null,
    });
    await expect
      .poll(
        async () =>
          (await storedLocations(api, mailbox.id)).filter((l) => l.folder === 'Sent').map((l) => [l.subject, l.flags]),
        poll,
      )
      .toEqual([['Hello from Tandem', ['\\Seen']]]);
  });

  it('sends Bcc recipients the message without showing them, and keeps them in the Sent copy', async () => {
    const { sender, recipient, send } = await setUp();
    const hidden = await createMailUser(servers, 'hidden');
    const response = await send({
      to: [recipient.address],
      bcc: [hidden.address],
      subject: 'With a blind copy',
      text: 'Hi',
    });
    expect(response.statusCode).toBe(202);
    await expect
      .poll(
        async () => (await serverFolder(servers, hidden, 'INBOX')).map((m) => [m.parsed.subject, m.parsed.bcc]),
        poll,
      )
      .toEqual([['With a blind copy', []]]);
    await expect
      .poll(
        async () => (await serverFolder(servers, sender, 'Sent')).map((m) => m.parsed.bcc.map((a) => a.address)),
        poll,
      )
      .toEqual([[hidden.address]]);
  });

  it('threads a reply (In-Reply-To, References) and marks the original \\Answered on the server', async () => {
    const parentId = `question-${randomBytes(4).toString('hex')}@example.test`;
    const { sender, recipient, mailbox, send } = await setUp([rawMessage('A question', { messageId: parentId })]);
    const original = (await storedLocations(api, mailbox.id)).find((l) => l.subject === 'A question');
    const response = await send({
      to: [recipient.address],
      subject: 'Re: A question',
      text: 'An answer.',
      inReplyTo: String(original?.messageId),
    });
    expect(response.statusCode).toBe(202);
    await expect
      .poll(
        async () =>
          (await serverFolder(servers, recipient, 'INBOX')).map((m) => [m.parsed.inReplyTo, m.parsed.references]),
        poll,
      )
      .toEqual([[parentId, [parentId]]]);
    await expect
      .poll(async () => (await serverFolder(servers, sender, 'INBOX')).map((m) => m.flags), poll)
      .toEqual([['\\Answered']]);
    expect((await storedLocations(api, mailbox.id)).find((l) => l.subject === 'A question')?.flags).toContain(
      '\\Answered',
    );
  });

  it('refuses a message over the server’s SIZE limit before sending anything', async () => {
    const { sender, recipient, mailbox, send } = await setUp();
    const big = randomBytes(10.5 * 1024 * 1024).toString('base64');
    const response = await send({
      to: [recipient.address],
      subject: 'Too big',
      text: 'See attached',
      attachments: [{ filename: 'big.bin', contentType: 'application/octet-stream', contentBase64: big }],
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({
      error: { code: 'message_too_large', details: { limit: 10 * 1024 * 1024 } },
    });
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(/accepts at most 10\.0 MB/);
    expect(
      await api.context.store.db.selectFrom('sends').select('id').where('mailbox_id', '=', mailbox.id).execute(),
    ).toEqual([]);
    // A small message sent after it arrives alone: the big one never went out.
    expect((await send({ to: [recipient.address], subject: 'Small', text: 'ok' })).statusCode).toBe(202);
    await expect
      .poll(async () => (await serverFolder(servers, recipient, 'INBOX')).map((m) => m.parsed.subject), poll)
      .toEqual(['Small']);
    await expect
      .poll(async () => (await serverFolder(servers, sender, 'Sent')).map((m) => m.parsed.subject), poll)
      .toEqual(['Small']);
  });

  it('files one Sent copy even when the append runs again after a crash', async () => {
    const { sender, recipient, mailbox, send } = await setUp();
    const { id, messageId } = (await send({ to: [recipient.address], subject: 'Filed once', text: 'once' })).json<{
      id: string;
      messageId: string;
    }>();
    const appendOp = () =>
      api.context.store.db
        .selectFrom('outbox_ops')
        .selectAll()
        .where('mailbox_id', '=', mailbox.id)
        .where('kind', '=', 'append_sent')
        .executeTakeFirstOrThrow();
    await expect.poll(async () => (await appendOp()).state, poll).toBe('done');
    expect(JSON.parse((await appendOp()).payload)).toMatchObject({ sendId: id });
    // As if the process died after APPEND, before the op was marked done.
    await api.engine.stopMailbox(mailbox.id);
    await api.context.store.db
      .updateTable('outbox_ops')
      .set({ state: 'pending', next_attempt_at: 0 })
      .where('kind', '=', 'append_sent')
      .where('mailbox_id', '=', mailbox.id)
      .execute();
    api.engine.startMailbox(mailbox.id);
    await expect.poll(async () => [(await appendOp()).state, (await appendOp()).attempts], poll).toEqual(['done', 2]);
    expect((await serverFolder(servers, sender, 'Sent')).map((m) => m.parsed.messageId)).toEqual([messageId]);
  });

  it('files no copy for a provider that files sent mail itself', async () => {
    const { sender, recipient, mailbox, send } = await setUp();
    await api.context.store.db
      .updateTable('mailboxes')
      .set({ provider_files_sent: 1 })
      .where('id', '=', mailbox.id)
      .execute();
    expect((await send({ to: [recipient.address], subject: 'Provider files it', text: 'x' })).statusCode).toBe(202);
    await expect.poll(async () => (await serverFolder(servers, recipient, 'INBOX')).length, poll).toBe(1);
    expect(
      await api.context.store.db.selectFrom('outbox_ops').select('id').where('mailbox_id', '=', mailbox.id).execute(),
    ).toEqual([]);
    expect(await serverFolder(servers, sender, 'Sent')).toEqual([]);
  });

  const refusals: { name: string; mode: Misbehaviour | 'closed-port'; state: string; words: RegExp }[] = [
    {
      name: 'refuses the message (554)',
      mode: 'refuse-message',
      state: 'failed',
      words: /554 5\.7\.1 Message rejected/,
    },
    { name: 'drops the connection at DATA', mode: 'drop-at-data', state: 'failed', words: /closed|connection/i },
    { name: 'cannot be reached', mode: 'closed-port', state: 'failed', words: /ECONNREFUSED|connect/i },
    {
      name: 'drops the connection after the whole message',
      mode: 'drop-after-data',
      state: 'uncertain',
      words: /closed|connection/i,
    },
  ];

  it.each(refusals)(
    'answers 502 send_failed when the SMTP server $name, and keeps the send',
    async ({ mode, state, words }) => {
      const { recipient, owner, mailbox, send } = await setUp();
      const smtp = mode === 'closed-port' ? null : await startMisbehavingSmtp(mode);
      await api.context.store.db
        .updateTable('mailboxes')
        .set({ smtp_host: '127.0.0.1', smtp_port: smtp?.port ?? (await closedPort()) })
        .where('id', '=', mailbox.id)
        .execute();
      try {
        const response = await send({ to: [recipient.address], subject: 'Will not go', text: 'no' });
        expect(response.statusCode).toBe(502);
        const { error } = response.json<{
          error: { code: string; message: string; details: { sendId: string; state: string } };
        }>();
        expect(error.code).toBe('send_failed');
        expect(error.message).toMatch(words);
        expect(error.details.state).toBe(state);
        const row = await sendRow(error.details.sendId);
        expect(row).toMatchObject({ state, mailbox_id: mailbox.id });
        expect(row?.error).toMatch(words);
        expect(await api.context.blobs.has(row?.raw_blob ?? '')).toBe(true);
        const view = await api.app.inject({
          method: 'GET',
          url: `/api/v1/sends/${error.details.sendId}`,
          headers: owner.auth,
        });
        expect(view.json()).toMatchObject({ state });
        // No Sent copy is queued for a message that was not sent.
        expect(
          await api.context.store.db
            .selectFrom('outbox_ops')
            .select('id')
            .where('mailbox_id', '=', mailbox.id)
            .where('kind', '=', 'append_sent')
            .execute(),
        ).toEqual([]);
      } finally {
        await smtp?.stop();
      }
    },
  );

  it('reports recipients the server refused while the others got the message', async () => {
    const { owner, mailbox, send } = await setUp();
    const smtp = await startMisbehavingSmtp('refuse-some-recipients');
    await api.context.store.db
      .updateTable('mailboxes')
      .set({ smtp_host: '127.0.0.1', smtp_port: smtp.port })
      .where('id', '=', mailbox.id)
      .execute();
    try {
      const response = await send({
        to: ['someone@example.test', 'refused@example.test'],
        subject: 'Partly',
        text: 'x',
      });
      expect(response.statusCode).toBe(202);
      const { id } = response.json<{ id: string }>();
      const view = await api.app.inject({ method: 'GET', url: `/api/v1/sends/${id}`, headers: owner.auth });
      expect(view.json()).toMatchObject({
        state: 'sent',
        error: expect.stringMatching(/refused@example\.test \(550 5\.1\.1 No such user here\)/),
      });
      expect(smtp.received()).toBe(1);
    } finally {
      await smtp.stop();
    }
  });

  it('validates the body: at least one recipient, valid addresses, the user’s own mailbox', async () => {
    const { owner, mailbox } = await setUp();
    const post = (payload: Record<string, unknown>, auth = owner.auth) =>
      api.app.inject({ method: 'POST', url: '/api/v1/messages/send', headers: auth, payload });
    const noRecipient = await post({ mailboxId: mailbox.id, to: [], subject: 'x', text: 'x' });
    expect([noRecipient.statusCode, noRecipient.json<{ error: { code: string } }>().error.code]).toEqual([
      400,
      'validation_failed',
    ]);
    const badAddress = await post({ mailboxId: mailbox.id, to: ['not an address'], subject: 'x' });
    expect([badAddress.statusCode, badAddress.json<{ error: { code: string } }>().error.code]).toEqual([
      400,
      'validation_failed',
    ]);
    const stranger = await connectTestMailbox(api, servers, await createMailUser(servers, 'stranger'));
    const notYours = await post({ mailboxId: mailbox.id, to: ['a@example.test'], subject: 'x' }, stranger.owner.auth);
    expect(notYours.statusCode).toBe(404);
    const otherSend = await api.app.inject({ method: 'GET', url: '/api/v1/sends/no-such-send', headers: owner.auth });
    expect(otherSend.statusCode).toBe(404);
  });
});

describe('a send interrupted by a crash', () => {
  it('becomes uncertain when the engine starts again, and is never sent twice', async () => {
    const servers = mailServers();
    const api = await startSyncApi();
    try {
      const { mailbox } = await connectTestMailbox(api, servers, await createMailUser(servers, 'crash'));
      await api.engine.stop(); // the process "dies" with a send in flight
      const now = Date.now();
      const blob = await api.context.blobs.put(Buffer.from(rawMessage('In flight')));
      await api.context.store.db
        .insertInto('sends')
        .values({
          id: 'interrupted-send',
          mailbox_id: mailbox.id,
          state: 'attempted',
          message_id: 'x@example.test',
          raw_blob: blob,
          recipients: '{}',
          in_reply_to_message_id: null,
          smtp_response: null,
          error: null,
          created_at: now - 1000,
          updated_at: now - 1000,
        })
        .execute();
      const { context } = api;
      const restarted = newEngine(context);
      // A send this new process begins meanwhile is in flight, not interrupted.
      await context.store.db
        .insertInto('sends')
        .values({
          id: 'live-send',
          mailbox_id: mailbox.id,
          state: 'attempted',
          message_id: 'y@example.test',
          raw_blob: blob,
          recipients: '{}',
          in_reply_to_message_id: null,
          smtp_response: null,
          error: null,
          created_at: Date.now() + 1,
          updated_at: Date.now() + 1,
        })
        .execute();
      await restarted.start();
      try {
        const row = await context.store.db
          .selectFrom('sends')
          .select(['state', 'error'])
          .where('id', '=', 'interrupted-send')
          .executeTakeFirstOrThrow();
        expect(row.state).toBe('uncertain');
        expect(row.error).toMatch(/may or may not have been sent/);
        expect(
          (
            await context.store.db
              .selectFrom('sends')
              .select('state')
              .where('id', '=', 'live-send')
              .executeTakeFirstOrThrow()
          ).state,
        ).toBe('attempted');
        expect(
          await context.store.db.selectFrom('outbox_ops').select('id').where('kind', '=', 'append_sent').execute(),
        ).toEqual([]);
      } finally {
        await restarted.stop();
      }
    } finally {
      await api.close();
    }
  });
});
