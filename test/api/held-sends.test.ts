import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliUserHeaders, connectOverHttp, killNow, startServe } from '../support/cli.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import { HeldSendRunner } from '../../src/mail/drafts/index.ts';
import type { Dialect } from '../../src/db/index.ts';
import { createMailUser, mailServers, serverSubjects } from '../support/index.ts';
import { storeDialects } from '../support/stores.ts';
import { connectTestMailbox, startSyncApi } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const UNDO_SECONDS = 4;

/** Undo send and schedule send against Dovecot + Postfix: held in Tandem, sent by the worker once, filed in Sent once. */
describe('held sends (undo send, schedule send)', () => {
  const servers = mailServers();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-held-sends-'));
  const env = { TANDEM_UNDO_SEND_SECONDS: String(UNDO_SECONDS) };
  const children: ChildProcess[] = [];
  let proxy: FaultProxy | undefined;
  afterAll(async () => {
    children.forEach((c) => c.kill('SIGKILL'));
    await proxy?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const serve = await startServe(['--data', dataDir], env);
    children.push(serve.child);
    return serve;
  };

  it('sends nothing when undone, and sends a scheduled email once at its time, also across a SIGKILL', async () => {
    const sender = await createMailUser(servers, 'sender');
    const recipient = await createMailUser(servers, 'recipient');
    const headers = await cliUserHeaders(dataDir, 'sender@example.test');
    proxy = await startFaultProxy(servers.smtp);
    let serve = await start();
    const created = await connectOverHttp(serve.url, headers, { imap: servers.imap, smtp: proxy }, sender, {
      syncPeriod: 'now',
      folders: ['INBOX', 'Sent', 'Drafts'],
    });
    expect(created.status).toBe(201);
    const mailbox = (await created.json()) as { id: string };

    const api = (url: string, method: string, route: string, body?: unknown) =>
      fetch(`${url}/api/v1${route}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const draftOf = async (url: string, subject: string) => {
      const response = await api(url, 'POST', '/drafts', {
        mailboxId: mailbox.id,
        to: [recipient.address],
        subject,
        text: `${subject} body`,
        includeSignature: false,
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };

    // Undo within the delay: nothing reaches Postfix, and the draft comes back with its content.
    const undoDraft = await draftOf(serve.url, 'undone email');
    const held = await api(serve.url, 'POST', `/drafts/${undoDraft}/hold`, {});
    expect(held.status).toBe(201);
    const heldView = (await held.json()) as { id: string; state: string; sendAt: number };
    expect(heldView.state).toBe('scheduled');
    expect(heldView.sendAt).toBeGreaterThanOrEqual(Date.now() + (UNDO_SECONDS - 2) * 1000);
    expect((await api(serve.url, 'GET', `/drafts/${undoDraft}`)).status).toBe(404); // it left Drafts
    const undone = await api(serve.url, 'POST', `/held-sends/${heldView.id}/cancel`, {});
    expect(undone.status).toBe(200);
    const back = (await undone.json()) as { id: string; fields: { subject: string; to: string[] } };
    expect(back.fields).toMatchObject({ subject: 'undone email', to: [recipient.address] });
    // A second undo, or an undo of something not held, is refused clearly.
    expect((await api(serve.url, 'POST', `/held-sends/${heldView.id}/cancel`, {})).status).toBe(409);
    expect((await api(serve.url, 'POST', `/held-sends/nope/cancel`, {})).status).toBe(404);
    expect((await api(serve.url, 'POST', `/drafts/${back.id}/hold`, { sendAt: 'soon' })).status).toBe(400);

    // Scheduled a few seconds ahead: nothing before the time, then delivered once and filed in Sent once.
    const scheduledDraft = await draftOf(serve.url, 'scheduled email');
    const sendAt = Date.now() + 6000;
    const scheduled = (await (await api(serve.url, 'POST', `/drafts/${scheduledDraft}/hold`, { sendAt })).json()) as {
      id: string;
    };
    const list = (await (await api(serve.url, 'GET', '/held-sends')).json()) as {
      items: { id: string; state: string }[];
    };
    expect(list.items).toContainEqual(expect.objectContaining({ id: scheduled.id, state: 'scheduled' }));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(Date.now()).toBeLessThan(sendAt); // checked before its time
    expect(await serverSubjects(servers, recipient, 'INBOX')).not.toContain('scheduled email');
    expect((await api(serve.url, 'GET', `/sends/${scheduled.id}`)).status).toBe(404);
    await expect
      .poll(() => serverSubjects(servers, recipient, 'INBOX'), { timeout: 60_000, interval: 500 })
      .toContain('scheduled email');
    const sentAt = Date.now();
    expect(sentAt).toBeGreaterThanOrEqual(sendAt);
    await expect
      .poll(() => serverSubjects(servers, sender, 'Sent'), { timeout: 60_000, interval: 500 })
      .toContain('scheduled email');
    expect(
      ((await (await api(serve.url, 'GET', `/held-sends/${scheduled.id}`)).json()) as { state: string }).state,
    ).toBe('sent');

    // Killed between its time and its send (the SMTP server unreachable, the claim made): sent once after the restart.
    const crashDraft = await draftOf(serve.url, 'crash email');
    proxy.set({ stalled: true });
    const crash = (await (
      await api(serve.url, 'POST', `/drafts/${crashDraft}/hold`, { sendAt: Date.now() + 1000 })
    ).json()) as { id: string };
    await expect
      .poll(
        async () =>
          ((await (await api(serve.url, 'GET', `/held-sends/${crash.id}`)).json()) as { state: string }).state,
        { timeout: 30_000, interval: 200 },
      )
      .toBe('sending');
    await killNow(serve.child);
    proxy.set({ stalled: false });
    serve = await start();
    await expect
      .poll(() => serverSubjects(servers, recipient, 'INBOX'), { timeout: 60_000, interval: 500 })
      .toContain('crash email');
    await expect
      .poll(() => serverSubjects(servers, sender, 'Sent'), { timeout: 60_000, interval: 500 })
      .toContain('crash email');

    // And again: another restart sends nothing a second time.
    await killNow(serve.child);
    serve = await start();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const delivered = await serverSubjects(servers, recipient, 'INBOX');
    const filed = await serverSubjects(servers, sender, 'Sent');
    expect(delivered.filter((s) => s === 'scheduled email')).toHaveLength(1);
    expect(delivered.filter((s) => s === 'crash email')).toHaveLength(1);
    expect(delivered).not.toContain('undone email');
    expect(filed.filter((s) => s === 'scheduled email')).toHaveLength(1);
    expect(filed.filter((s) => s === 'crash email')).toHaveLength(1);
    expect(filed).not.toContain('undone email');
    expect(((await (await api(serve.url, 'GET', `/held-sends/${crash.id}`)).json()) as { state: string }).state).toBe(
      'sent',
    );
  }, 240_000);
});

/** Several runners (as several `tandem worker` processes) on one store: each held send is claimed and sent once. */
describe.each(await storeDialects())('held sends with concurrent runners on %s', (dialect: Dialect) => {
  const servers = mailServers();
  let api: SyncTestApi;
  afterAll(() => api?.close());

  it('delivers each due email once, whatever runner claims it', async () => {
    api = await startSyncApi(dialect);
    const sender = await createMailUser(servers, 'runners');
    const recipient = await createMailUser(servers, 'runners-to');
    const { owner, mailbox } = await connectTestMailbox(api, servers, sender, { syncPeriod: 'now' });
    const subjects = ['race one', 'race two', 'race three'];
    for (const subject of subjects) {
      const draft = await api.app.inject({
        method: 'POST',
        url: '/api/v1/drafts',
        headers: owner.auth,
        payload: { mailboxId: mailbox.id, to: [recipient.address], subject, text: subject },
      });
      expect(draft.statusCode).toBe(201);
      const held = await api.app.inject({
        method: 'POST',
        url: `/api/v1/drafts/${draft.json<{ id: string }>().id}/hold`,
        headers: owner.auth,
        payload: { sendAt: Date.now() },
      });
      expect(held.statusCode).toBe(201);
    }
    const runners = [0, 1, 2].map(() => new HeldSendRunner(api.context, { intervalMs: 0 }));
    await Promise.all(runners.map((r) => r.tick()));
    await Promise.all(runners.map((r) => r.tick()));
    const states = await api.context.store.db.selectFrom('sends').select(['subject', 'state']).execute();
    expect(states.map((s) => s.subject).sort()).toEqual([...subjects].sort());
    expect(states.every((s) => s.state === 'sent')).toBe(true);
    await expect
      .poll(() => serverSubjects(servers, recipient, 'INBOX').then((s) => s.sort()), { timeout: 60_000 })
      .toEqual([...subjects].sort());
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await serverSubjects(servers, recipient, 'INBOX')).sort()).toEqual([...subjects].sort());
  }, 120_000);
});
