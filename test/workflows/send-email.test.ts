import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/mail/mime/index.ts';
import { WorkflowEngine } from '../../src/workflows/index.ts';
import { conditionMatches } from '../../src/workflows/conditions.ts';
import { loadFacts } from '../../src/workflows/facts.ts';
import { createMailUser, deliver, mailServers, serverCopies } from '../support/index.ts';
import type { MailServersInfo } from '../support/index.ts';
import { startMisbehavingSmtp } from '../support/misbehaving-smtp.ts';
import { signedInUser } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';
import { connectTestMailbox, rawMessage, startSyncApi, subjectsIn, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 200 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const dialects = await storeDialects();

describe.each(dialects)('workflows sending email (%s)', (dialect) => {
  let servers: MailServersInfo;
  let api: SyncTestApi;
  let engine: WorkflowEngine;
  let clock = Date.now();
  beforeAll(async () => {
    servers = mailServers();
    // Marks point at publicUrl: with one, workflow emails with HTML are tracked by default.
    api = await startSyncApi(dialect, undefined, { publicUrl: 'https://tandem.example.test' });
    // The engine is driven by the test: its clock and its passes.
    engine = new WorkflowEngine(api.context, {
      now: () => clock,
      intervalMs: 0,
      nudge: (id) => api.engine.nudge(id),
    });
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop();
    await api.close();
  });

  async function setUp() {
    const sender = await createMailUser(servers, 'owner');
    const customer = await createMailUser(servers, 'customer');
    const { owner, mailbox } = await connectTestMailbox(api, servers, sender, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    const call = async <T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown) => {
      const response = await api.app.inject({ method, url, headers: owner.auth, payload: payload as object });
      if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
      return response.json<T>();
    };
    const contact = await call<{ id: string }>('POST', '/api/v1/contacts', {
      firstName: 'Ann',
      lastName: 'Buyer',
      emails: [customer.address],
    });
    const deal = await call<{ id: string }>('POST', '/api/v1/deals', {
      name: 'Big Deal',
      contactId: contact.id,
      status: 'proposal',
      amount: 1200,
    });
    const workflow = await call<{ id: string }>('POST', '/api/v1/workflows', {
      name: 'Thank the customer when a deal is won',
      trigger: { type: 'record_updated', recordType: 'deal', field: 'status' },
      mode: 'transition',
      conditions: { match: 'all', conditions: [{ field: 'record.status', op: 'equals', value: 'won' }] },
      actions: [
        {
          type: 'send_email',
          to: [{ type: 'contact' }],
          template: {
            subject: 'Thank you {{contact.firstName | "there"}}',
            text: 'Dear {{contact.fullName}}, {{record.name}} is signed. {{organization.name | "Your team"}} says hi.',
          },
        },
      ],
    });
    const runs = async () =>
      (
        await call<{
          items: {
            state: string;
            steps: { state: string; outcome: Record<string, unknown> | null; error: string | null }[];
          }[];
        }>('GET', `/api/v1/workflows/${workflow.id}/runs`)
      ).items;
    return { sender, customer, owner, mailbox, call, contact, deal, workflow, runs };
  }

  it('tracks a workflow’s HTML email by default, but not to a contact marked do not track', async () => {
    const { customer, call, contact, deal, workflow } = await setUp();
    await call('PUT', `/api/v1/workflows/${workflow.id}`, {
      name: 'Thank the customer when a deal is won',
      trigger: { type: 'record_updated', recordType: 'deal', field: 'status' },
      mode: 'transition',
      conditions: { match: 'all', conditions: [{ field: 'record.status', op: 'equals', value: 'won' }] },
      actions: [
        {
          type: 'send_email',
          to: [{ type: 'contact' }],
          template: { subject: 'Thanks', html: '<p>See <a href="https://example.com/next">what comes next</a></p>' },
        },
      ],
    });
    await call('PATCH', `/api/v1/deals/${deal.id}`, { status: 'won' });
    await engine.tick();
    await expect.poll(async () => (await serverCopies(servers, customer, 'INBOX')).length, poll).toBe(1);
    const [tracked] = await serverCopies(servers, customer, 'INBOX');
    expect(tracked?.source.toString()).toContain('https://tandem.example.test/t/o/');

    // Another deal of the same contact, once the contact asked not to be tracked.
    await call('PATCH', `/api/v1/contacts/${contact.id}`, { doNotTrack: true });
    const second = await call<{ id: string }>('POST', '/api/v1/deals', {
      name: 'Second Deal',
      contactId: contact.id,
      status: 'proposal',
    });
    await call('PATCH', `/api/v1/deals/${second.id}`, { status: 'won' });
    await engine.tick();
    await expect.poll(async () => (await serverCopies(servers, customer, 'INBOX')).length, poll).toBe(2);
    const [, untracked] = await serverCopies(servers, customer, 'INBOX');
    expect(untracked?.source.toString()).not.toContain('tandem.example.test');
    expect(untracked?.source.toString()).toContain('https://example.com/next');
  });

  it('sends the contact a templated email once when a deal reaches won, filed in Sent once and linked to the deal', async () => {
    const { sender, customer, call, contact, deal, runs } = await setUp();
    await call('PATCH', `/api/v1/deals/${deal.id}`, { status: 'won' });
    await engine.tick();

    const [run] = await runs();
    expect(run?.state).toBe('done');
    expect(run?.steps[0]).toMatchObject({ state: 'done' });
    const messageId = run?.steps[0]?.outcome?.messageId;

    await expect.poll(async () => (await serverCopies(servers, customer, 'INBOX')).length, poll).toBe(1);
    const [received] = await serverCopies(servers, customer, 'INBOX');
    const parsed = await parseMessage(received?.source ?? Buffer.alloc(0));
    expect(parsed.subject).toBe('Thank you Ann');
    expect(parsed.text).toContain('Dear Ann Buyer, Big Deal is signed. Your team says hi.');
    expect(parsed.messageId).toBe(messageId);
    expect(received?.source.toString()).toMatch(/^Auto-Submitted: auto-generated\r?$/m);

    // Filed in Sent once, and linked to the deal; the contact's timeline has it too.
    await expect.poll(async () => (await serverCopies(servers, sender, 'Sent')).length, poll).toBe(1);
    const subjectsOf = async (path: string) =>
      (await call<{ items: { subject: string }[] }>('GET', path)).items.map((m) => m.subject);
    await expect.poll(() => subjectsOf(`/api/v1/deals/${deal.id}/emails`), poll).toEqual(['Thank you Ann']);
    await expect.poll(() => subjectsOf(`/api/v1/contacts/${contact.id}/emails`), poll).toEqual(['Thank you Ann']);

    // Transition mode: saving the won deal again sends nothing.
    await call('PATCH', `/api/v1/deals/${deal.id}`, { description: 'Signed on paper too' });
    await engine.tick();
    expect(await runs()).toHaveLength(1);
    expect((await serverCopies(servers, customer, 'INBOX')).length).toBe(1);
    expect((await serverCopies(servers, sender, 'Sent')).length).toBe(1);
  }, 90_000);

  it('after a crash between SMTP and the store, finds the email in Sent instead of sending it again', async () => {
    const { sender, customer, call, deal, workflow, runs } = await setUp();
    await call('PATCH', `/api/v1/deals/${deal.id}`, { status: 'won' });
    await engine.tick();
    await expect.poll(async () => (await serverCopies(servers, sender, 'Sent')).length, poll).toBe(1);
    const [run] = await api.context.store.db
      .selectFrom('workflow_runs')
      .selectAll()
      .where('workflow_id', '=', workflow.id)
      .execute();
    const step = await api.context.store.db
      .selectFrom('workflow_steps')
      .selectAll()
      .where('run_id', '=', run?.id ?? '')
      .executeTakeFirstOrThrow();

    // What a process killed after the server took the message leaves behind: the send 'attempted',
    // the step claimed and not done, the run held by a lease that has run out.
    await api.context.store.db
      .updateTable('sends')
      .set({ state: 'attempted' })
      .where('id', '=', step.send_id ?? '')
      .execute();
    await api.context.store.db
      .updateTable('workflow_steps')
      .set({ state: 'running', outcome: null })
      .where('run_id', '=', step.run_id)
      .execute();
    await api.context.store.db
      .updateTable('workflow_runs')
      .set({ state: 'running', next_step: 0, lease_owner: 'dead-worker:1', lease_until: clock - 1 })
      .where('id', '=', step.run_id)
      .execute();
    await engine.tick();

    const [after] = await runs();
    expect(after?.state).toBe('done');
    expect(after?.steps[0]?.outcome).toMatchObject({ foundInSent: true, sendId: step.send_id });
    expect((await serverCopies(servers, customer, 'INBOX')).length).toBe(1);
    expect((await serverCopies(servers, sender, 'Sent')).length).toBe(1);
  }, 90_000);

  it('ends uncertain when the connection drops after the message went out, and never sends it again', async () => {
    const { call, deal, mailbox, runs } = await setUp();
    const smtp = await startMisbehavingSmtp('drop-after-data');
    await api.context.store.db
      .updateTable('mailboxes')
      .set({ smtp_host: '127.0.0.1', smtp_port: smtp.port })
      .where('id', '=', mailbox.id)
      .execute();
    try {
      await call('PATCH', `/api/v1/deals/${deal.id}`, { status: 'won' });
      await engine.tick();
      const [run] = await runs();
      expect(run?.state).toBe('uncertain');
      expect(run?.steps[0]?.state).toBe('uncertain');
      expect(run?.steps[0]?.error).toMatch(/may or may not have been delivered/);
      clock += 24 * 3600_000;
      await engine.tick();
      expect(smtp.received()).toBe(1);
      expect((await runs())[0]?.state).toBe('uncertain');
    } finally {
      await smtp.stop();
    }
  }, 90_000);

  it('sends from a group mailbox as the group, with the template’s file, filed once in the group mailbox’s Sent', async () => {
    const { customer, owner, call, deal } = await setUp();
    const support = await createMailUser(servers, 'support');
    const guide = Buffer.from(`%PDF-1.4 care guide ${'x'.repeat(3000)}`);
    const admin = await signedInUser(api, { admin: true });
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: admin.auth,
      payload: {
        kind: 'group',
        address: support.address,
        imap: { ...servers.imap, security: 'none', username: support.username, password: support.password },
        smtp: { ...servers.smtp, security: 'none', username: support.username, password: support.password },
        syncPeriod: 'now',
        group: { name: 'Customer Care', members: [{ userId: owner.user.id }] },
      },
    });
    expect(created.statusCode).toBe(201);
    const group = created.json<{ id: string }>();
    const workflow = {
      name: 'Care team thanks the customer',
      trigger: { type: 'record_updated', recordType: 'deal', field: 'status', to: 'won' },
      actions: [
        {
          type: 'send_email',
          from: 'group',
          mailboxId: group.id,
          to: [{ type: 'contact' }],
          template: { subject: 'Welcome aboard {{contact.firstName}}', text: 'The care team' },
          attachments: [
            { filename: 'guide.pdf', contentType: 'application/pdf', contentBase64: guide.toString('base64') },
          ],
        },
      ],
    };
    // Only a group mailbox the workflow's owner is in: the personal one, or another's group, is refused.
    const outsider = await signedInUser(api);
    const refused = await api.app.inject({
      method: 'POST',
      url: '/api/v1/workflows',
      headers: outsider.auth,
      payload: workflow,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('validation_failed');
    const { id, actions } = await call<{ id: string; actions: { attachments: unknown[] }[] }>(
      'POST',
      '/api/v1/workflows',
      workflow,
    );
    // The file is kept in the blob store: the workflow names it, its content is not repeated.
    expect(actions[0]?.attachments).toEqual([
      { filename: 'guide.pdf', contentType: 'application/pdf', size: guide.length, blob: expect.any(String) },
    ]);

    await call('PATCH', `/api/v1/deals/${deal.id}`, { status: 'won' });
    await engine.tick();
    const [run] = (
      await call<{ items: { state: string; steps: { outcome: Record<string, unknown> | null }[] }[] }>(
        'GET',
        `/api/v1/workflows/${id}/runs`,
      )
    ).items;
    expect(run?.state).toBe('done');
    expect(run?.steps[0]?.outcome).toMatchObject({ mailboxId: group.id });

    await expect.poll(async () => (await serverCopies(servers, customer, 'INBOX')).length, poll).toBe(2);
    const received = await Promise.all(
      (await serverCopies(servers, customer, 'INBOX')).map((c) => parseMessage(c.source)),
    );
    const welcome = received.find((m) => m.subject === 'Welcome aboard Ann');
    expect(welcome?.from).toEqual({ name: 'Customer Care', address: support.address });
    expect(welcome?.attachments.map((a) => [a.filename, a.content.equals(guide)])).toEqual([['guide.pdf', true]]);
    await expect.poll(async () => (await serverCopies(servers, support, 'Sent')).length, poll).toBe(1);
    const [copy] = await serverCopies(servers, support, 'Sent');
    const filed = await parseMessage(copy?.source ?? Buffer.alloc(0));
    expect(filed.attachments.map((a) => [a.filename, a.content.equals(guide)])).toEqual([['guide.pdf', true]]);
    await sleep(2000); // a second copy, were one filed, would be there by now
    expect((await serverCopies(servers, support, 'Sent')).length).toBe(1);
  }, 90_000);

  it('stops a sequence once the contact replied by hand, not on an auto-reply, and says why', async () => {
    const { sender, customer, mailbox, call, contact } = await setUp();
    const step = (subject: string) => ({
      type: 'send_email',
      to: [{ type: 'contact' }],
      template: { subject, text: 'Following up' },
    });
    const wait = { type: 'wait', minutes: 60 };
    const workflow = await call<{ id: string }>('POST', '/api/v1/workflows', {
      name: 'Three touches',
      trigger: { type: 'manual', recordType: 'contact' },
      stopOnReply: true,
      actions: [step('Touch one'), wait, step('Touch two'), wait, step('Touch three')],
    });
    type RunView = { state: string; error: string | null; steps: StepView[] };
    type StepView = { state: string; error: string | null; outcome: Record<string, unknown> | null };
    const run = async () =>
      (await call<{ items: RunView[] }>('GET', `/api/v1/workflows/${workflow.id}/runs`)).items[0] as RunView;
    const replyTo = async (stepIndex: number, subject: string, headers: string) => {
      const messageId = String((await run()).steps[stepIndex]?.outcome?.messageId);
      const raw = rawMessage(subject, { from: customer.address, to: sender.address, inReplyTo: messageId });
      await deliver(servers, sender.username, headers + raw);
      await expect.poll(() => subjectsIn(api, mailbox.id, 'INBOX'), poll).toContain(subject);
    };

    await call('POST', `/api/v1/workflows/${workflow.id}/run`, { recordId: contact.id });
    clock = Math.max(clock, Date.now()); // the run is due at the request's time
    await engine.tick();
    expect((await run()).state).toBe('waiting');
    // An auto-reply to the first email does not stop it.
    await replyTo(0, 'Out of office', 'Auto-Submitted: auto-replied\r\n');
    clock += 61 * 60_000;
    await engine.tick();
    expect((await run()).steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);
    // A reply by hand to the second one does.
    await replyTo(2, 'Re: Touch two', '');
    clock += 61 * 60_000;
    await engine.tick();
    const stopped = await run();
    expect(stopped.state).toBe('stopped');
    expect(stopped.steps[4]).toMatchObject({ state: 'skipped' });
    expect(stopped.error).toMatch(new RegExp(`${customer.address} replied by hand .*Re: Touch two`));
    const delivered = await Promise.all(
      (await serverCopies(servers, customer, 'INBOX')).map(async (c) => (await parseMessage(c.source)).subject),
    );
    expect(delivered.filter((s) => s?.startsWith('Touch')).sort()).toEqual(['Touch one', 'Touch two']);
  }, 90_000);

  it('runs on a received email that meets its conditions: a case for the contact, a comment on the email', async () => {
    const { sender, customer, call, contact } = await setUp();
    const workflow = await call<{ id: string }>('POST', '/api/v1/workflows', {
      name: 'Quotes become cases',
      trigger: { type: 'email_received' },
      conditions: { match: 'all', conditions: [{ field: 'email.subject', op: 'contains', value: 'quote' }] },
      actions: [
        { type: 'create_record', recordType: 'case', name: 'Quote for {{contact.firstName | "someone"}}' },
        { type: 'add_comment', body: 'Case opened for {{contact.fullName}}' },
      ],
    });
    await deliver(servers, sender.username, rawMessage('Lunch?', { from: customer.address, to: sender.address }));
    await deliver(servers, sender.username, rawMessage('Need a QUOTE', { from: customer.address, to: sender.address }));
    const runsOf = async () =>
      (
        await call<{
          items: { state: string; messageId: string | null; steps: { outcome: Record<string, unknown> | null }[] }[];
        }>('GET', `/api/v1/workflows/${workflow.id}/runs`)
      ).items;
    await expect
      .poll(async () => {
        await engine.tick();
        return (await runsOf()).map((r) => r.state);
      }, poll)
      .toEqual(['done']);
    const [run] = await runsOf();
    const created = run?.steps[0]?.outcome as { recordId: string };
    expect(await call('GET', `/api/v1/cases/${created.recordId}`)).toMatchObject({
      name: 'Quote for Ann',
      contactId: contact.id,
    });
    const comments = await call<{ items: { body: string }[] }>('GET', `/api/v1/messages/${run?.messageId}/comments`);
    expect(comments.items.map((c) => c.body)).toEqual(['Case opened for Ann Buyer']);
  }, 90_000);

  it('sends to a bouncing address with the warning in the step, and sees the contact’s touchpoints in conditions', async () => {
    const { mailbox, call, contact, deal, runs } = await setUp();
    // A real bounce first: Postfix returns mail to an unknown user to the sender.
    const ghost = `ghost-${Date.now()}@example.test`;
    await call('POST', '/api/v1/messages/send', { mailboxId: mailbox.id, to: [ghost], subject: 'Hello?', text: '?' });
    const bouncing = async () =>
      (await call<{ items: { address: string }[] }>('GET', `/api/v1/bounces?addresses=${ghost}`)).items;
    await expect.poll(async () => (await bouncing()).length, { ...poll, timeout: 60_000 }).toBe(1);
    await call('PATCH', `/api/v1/contacts/${contact.id}`, { emails: [ghost] });

    await call('PATCH', `/api/v1/deals/${deal.id}`, { status: 'won' });
    await engine.tick();
    const [run] = await runs();
    expect(run?.steps[0]?.state).toBe('done');
    expect(run?.steps[0]?.outcome?.warnings).toEqual([
      { code: 'bouncing_recipient', address: ghost, reason: expect.stringContaining("User doesn't exist") },
    ]);

    // The contact's touchpoints are facts conditions can name.
    const factsOf = () => loadFacts(api.context.store.db, { recordId: contact.id });
    // Hello? and the workflow's email, once both Sent copies are synced and linked.
    await expect.poll(async () => Number((await factsOf()).record?.emailsOut), poll).toBeGreaterThanOrEqual(2);
    const facts = await factsOf();
    const contacted = { field: 'record.lastContactedAt', op: 'greater_than' as const, value: '2000-01-01T00:00:00Z' };
    expect(conditionMatches(contacted, facts)).toBe(true);
    expect(conditionMatches({ field: 'record.replies', op: 'greater_than', value: '0' }, facts)).toBe(false);
  }, 120_000);
});
