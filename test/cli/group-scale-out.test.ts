import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliUserHeaders, runTandem, startTandem } from '../support/cli.ts';
import {
  createMailUser,
  deliver,
  freshPostgresSchema,
  mailServers,
  postgresUrl,
  serverCopies,
} from '../support/index.ts';
import { rawMessage } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 250 };

/**
 * A group mailbox synced by `tandem worker` and worked through `tandem web`:
 * the worker files the customer's mail into a conversation and a case; a
 * member's reply from the web process goes out and its Sent copy, synced by
 * the worker, joins the conversation as our reply.
 */
describe.skipIf(postgresUrl() === null)('scale-out: a group mailbox through tandem web and tandem worker', () => {
  const servers = mailServers();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-group-scale-out-'));
  const children: ChildProcess[] = [];
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    schema = await freshPostgresSchema();
    env = { DATABASE_URL: schema.url, TANDEM_LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    children.forEach((c) => c.kill('SIGKILL'));
    await schema?.drop();
  });

  it('files, assigns and replies the same as in one process', { timeout: 120_000 }, async () => {
    const web = await startTandem(
      ['web', '--port', '0', '--data', dataDir],
      env,
      /Tandem is running at (http:\/\/\S+)/,
    );
    children.push(web.child);
    const worker = await startTandem(['worker', '--data', dataDir], env, /Tandem worker (\S+) is running/);
    children.push(worker.child);
    await runTandem(
      ['user', 'add', '--email', 'admin@example.test', '--admin', '--password-stdin', '--data', dataDir],
      {
        stdin: 'admin-password-1',
        env,
      },
    );
    const adminToken = (
      await runTandem(['token', 'create', '--user', 'admin@example.test', '--data', dataDir], { env })
    ).stdout.trim();
    const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const agent = await cliUserHeaders(dataDir, 'agent@example.test', env);
    const me = (await (await fetch(`${web.printed}/api/v1/auth/me`, { headers: agent })).json()) as { id: string };
    const support = await createMailUser(servers, 'support');
    const customer = await createMailUser(servers, 'customer');
    const created = await fetch(`${web.printed}/api/v1/mailboxes`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        kind: 'group',
        address: support.address,
        imap: {
          host: servers.imap.host,
          port: servers.imap.port,
          security: 'none',
          username: support.username,
          password: support.password,
        },
        smtp: {
          host: servers.smtp.host,
          port: servers.smtp.port,
          security: 'none',
          username: support.username,
          password: support.password,
        },
        syncPeriod: 'now',
        group: { name: 'Support', members: [{ userId: me.id, canManage: true }], emailToCase: true },
      }),
    });
    expect(created.status).toBe(201);
    const mailbox = (await created.json()) as { id: string };
    const conversations = async () =>
      (
        (await (
          await fetch(`${web.printed}/api/v1/mailboxes/${mailbox.id}/conversations`, { headers: agent })
        ).json()) as { items: { id: string; caseId: string | null; status: string }[] }
      ).items;

    await deliver(
      servers,
      support.username,
      rawMessage('Scale-out help', { from: customer.address, to: support.address, messageId: 'so-1@example.test' }),
    );
    await expect.poll(async () => (await conversations()).length, poll).toBe(1);
    const [conversation] = await conversations();
    expect(conversation?.caseId).not.toBeNull();
    const assigned = await fetch(`${web.printed}/api/v1/conversations/${conversation?.id}`, {
      method: 'PATCH',
      headers: agent,
      body: JSON.stringify({ assigneeId: me.id }),
    });
    expect(assigned.status).toBe(200);
    const detail = async () =>
      (await (await fetch(`${web.printed}/api/v1/conversations/${conversation?.id}`, { headers: agent })).json()) as {
        cursor: string;
        thread: { signal: string }[];
      };
    const reply = await fetch(`${web.printed}/api/v1/conversations/${conversation?.id}/reply`, {
      method: 'POST',
      headers: agent,
      body: JSON.stringify({ text: 'On it', seenUpTo: (await detail()).cursor }),
    });
    expect(reply.status).toBe(202);
    await expect.poll(async () => (await serverCopies(servers, customer, 'INBOX')).length, poll).toBe(1);
    await expect.poll(async () => (await detail()).thread.map((m) => m.signal), poll).toEqual(['new', 'sent']);
    expect(await serverCopies(servers, support, 'Sent')).toHaveLength(1);
  });
});
