// One user's world, built through the API against real Dovecot + Postfix: a
// synced mailbox with an email and its attachment, a sent email, a draft with
// an inline image, a record of every kind (not shared), a link, a comment, a
// mailroom rule, an API token, a session, an OAuth2 sign-in, a workflow and
// its run, and a conversation of a group mailbox the user is a member of. Every text in
// it carries MARK, so an answer that leaks any of it is easy to spot.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { RECORD_KINDS } from '../../src/crm/index.ts';
import type { Dialect } from '../../src/db/index.ts';
import { createSession } from '../../src/users/index.ts';
import { signedInUser } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { insertFolder, insertGroupMailbox, rawEmail, storeEmail } from '../crm/support.ts';
import { createMailUser, deliver } from '../support/index.ts';
import type { MailServersInfo } from '../support/index.ts';
import { connectTestMailbox, waitIdle } from '../support/sync.ts';
import { waitFor } from '../support/wait-for.ts';

export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

export interface OwnerFixture {
  /** In every subject, name and body of the fixture. */
  mark: string;
  userId: string;
  auth: { authorization: string };
  /** A second session of the owner, besides the one in `auth`. */
  sessionId: string;
  sessionToken: string;
  address: string;
  mailboxId: string;
  messageId: string;
  attachmentId: string;
  sendId: string;
  draftId: string;
  /** A send held until tomorrow (schedule send). */
  heldSendId: string;
  contentId: string;
  records: Record<(typeof RECORD_KINDS)[number], string>;
  linkId: string;
  ruleId: string;
  tokenId: string;
  grantId: string;
  /** A group mailbox the owner is a member of, and a conversation in it. */
  groupMailboxId: string;
  conversationId: string;
  workflowId: string;
  runId: string;
}

function emailWithAttachment(from: string, to: string, mark: string): string {
  return [
    `From: Customer <${from}>`,
    `To: ${to}`,
    `Subject: ${mark} quarterly numbers`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@example.test>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `The numbers are in the attachment. ${mark}`,
    '--b1',
    'Content-Type: application/pdf',
    `Content-Disposition: attachment; filename="${mark}.pdf"`,
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(`%PDF-1.4 ${mark}`).toString('base64'),
    '--b1--',
    '',
  ].join('\r\n');
}

export async function buildOwnerFixture(
  api: TestApi,
  servers: MailServersInfo,
  dialect: Dialect,
): Promise<OwnerFixture> {
  const mark = `zq${randomUUID().slice(0, 8)}`;
  const [mailUser, recipient] = await Promise.all([
    createMailUser(servers, 'owner'),
    createMailUser(servers, 'recipient'),
  ]);
  await deliver(servers, mailUser.username, emailWithAttachment('customer@example.test', mailUser.address, mark));
  const { owner, mailbox } = await connectTestMailbox(api, servers, mailUser, { syncPeriod: '3m' });
  await waitIdle(api, owner.auth, mailbox.id);

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, status = 200) => {
    const response = await api.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: owner.auth,
      ...(payload ? { payload } : {}),
    });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status);
    return response.json<Record<string, unknown>>();
  };

  const list = await call('GET', `/messages?mailboxId=${mailbox.id}`);
  const messageId = String((list.items as { id: string }[])[0]?.id);
  const detail = await call('GET', `/messages/${messageId}`);
  const attachmentId = String((detail.attachments as { id: string }[])[0]?.id);

  const sent = await call(
    'POST',
    '/messages/send',
    { mailboxId: mailbox.id, to: [recipient.address], subject: `${mark} sent`, text: mark },
    202,
  );
  const contentId = `logo-${mark}`;
  const draft = await call(
    'POST',
    '/drafts',
    {
      mailboxId: mailbox.id,
      to: ['someone@example.test'],
      subject: `${mark} draft`,
      html: `<p>${mark}</p><img src="cid:${contentId}">`,
      attachments: [
        { filename: 'logo.png', contentType: 'image/png', contentBase64: PNG.toString('base64'), contentId },
      ],
    },
    201,
  );
  const scheduled = await call(
    'POST',
    '/drafts',
    { mailboxId: mailbox.id, to: ['someone@example.test'], subject: `${mark} scheduled`, text: mark },
    201,
  );
  const held = await call('POST', `/drafts/${String(scheduled.id)}/hold`, { sendAt: Date.now() + 24 * 3600_000 }, 201);

  const records = {} as OwnerFixture['records'];
  for (const kind of RECORD_KINDS) {
    const person = kind === 'contact' || kind === 'lead';
    const created = await call(
      'POST',
      `/${kind === 'organization' ? 'organizations' : `${kind}s`}`,
      { ...(person ? { firstName: `${mark} ${kind}` } : { name: `${mark} ${kind}` }), shared: false },
      201,
    );
    records[kind] = String(created.id);
  }
  const link = await call('POST', `/messages/${messageId}/links`, { recordType: 'case', recordId: records.case }, 201);
  await call('POST', `/messages/${messageId}/comments`, { body: `${mark} comment` }, 201);
  const rule = await call(
    'POST',
    '/mailroom/rules',
    {
      name: `${mark} rule`,
      mailboxId: mailbox.id,
      conditions: [{ field: 'subject', op: 'contains', value: mark }],
      actions: [{ type: 'mark_private' }],
    },
    201,
  );
  const token = await call('POST', '/auth/tokens', { name: `${mark} token` }, 201);
  const second = await createSession(api.context.store.db, owner.user.id);
  const sessions = await call('GET', '/auth/sessions');
  const sessionId = (sessions.items as { id: string; current: boolean }[]).find((s) => !s.current)?.id;

  const grantId = randomUUID();
  const now = Date.now();
  await api.context.store.db
    .insertInto('oauth_grants')
    .values({
      id: grantId,
      user_id: owner.user.id,
      provider_id: 'google',
      address: `${mark}@gmail.example`,
      tokens: api.context.secrets.sealJson({ accessToken: mark }),
      state: 'active',
      created_at: now,
      updated_at: now,
    })
    .execute();

  // The sent email's copy is filed in Sent by the outbox: wait for it, so nothing changes during the walk.
  await waitFor(
    async () => {
      const view = await call('GET', `/sends/${String(sent.id)}`);
      return view.state === 'sent' ? view : undefined;
    },
    { what: 'the send to be accepted' },
  );

  const group = await groupConversation(api, dialect, owner.user.id, mark);
  const workflow = await call(
    'POST',
    '/workflows',
    {
      name: `${mark} workflow`,
      trigger: { type: 'manual', recordType: 'contact' },
      actions: [{ type: 'update_fields', fields: { description: mark } }],
    },
    201,
  );
  const run = await call('POST', `/workflows/${String(workflow.id)}/run`, { recordId: records.contact }, 202);

  return {
    mark,
    userId: owner.user.id,
    auth: owner.auth,
    sessionId: String(sessionId),
    sessionToken: second.token,
    address: mailUser.address,
    mailboxId: mailbox.id,
    messageId,
    attachmentId,
    sendId: String(sent.id),
    draftId: String(draft.id),
    heldSendId: String(held.id),
    contentId,
    records,
    linkId: String(link.id),
    ruleId: String(rule.id),
    tokenId: String(token.id),
    grantId,
    ...group,
    workflowId: String(workflow.id),
    runId: String(run.runId),
  };
}

/** A group mailbox (made by an administrator) with the owner as a member, and a customer's email in it. */
async function groupConversation(
  api: TestApi,
  dialect: Dialect,
  ownerId: string,
  mark: string,
): Promise<{ groupMailboxId: string; conversationId: string }> {
  const admin = await signedInUser(api, { admin: true });
  const groupMailboxId = await insertGroupMailbox(api, admin.user.id, `support-${mark}@example.test`, {
    name: `${mark} team`,
    members: [{ userId: ownerId }],
  });
  const inbox = { mailboxId: groupMailboxId, folderId: await insertFolder(api, groupMailboxId, 'INBOX') };
  const messageId = await storeEmail(
    api,
    dialect,
    inbox,
    rawEmail({ from: 'customer@example.test', to: `support-${mark}@example.test`, subject: `${mark} help` }),
  );
  const filed = await api.context.store.db
    .selectFrom('conversation_messages')
    .select('conversation_id')
    .where('message_id', '=', Number(messageId))
    .executeTakeFirstOrThrow();
  return { groupMailboxId, conversationId: String(filed.conversation_id) };
}
