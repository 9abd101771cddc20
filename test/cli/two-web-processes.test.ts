import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliUserHeaders, runTandem, startTandem } from '../support/cli.ts';
import { createMailUser, deliver, freshPostgresSchema, mailServers, postgresUrl } from '../support/index.ts';
import { rawMessage } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 250 };
type Headers = Record<string, string>;

/** Reads a user's live event stream until an event matches, or gives up. */
async function nextEvent(url: string, headers: Headers, matches: (data: string) => boolean): Promise<string> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30_000);
  try {
    const response = await fetch(`${url}/api/v1/events`, { headers, signal: abort.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended without the event: ${text}`);
      text += decoder.decode(value, { stream: true });
      const found = text
        .split('\n\n')
        .flatMap((block) => block.split('\n').filter((line) => line.startsWith('data: ')))
        .map((line) => line.slice(6))
        .find(matches);
      if (found) return found;
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/**
 * Two `tandem web` processes (no sticky sessions) with a `tandem worker`
 * syncing the group mailbox: a member who opens a conversation on one web
 * process is seen by a colleague on the other, in the conversation and live on
 * their event stream, and so is their leaving; a change made through one
 * reaches the colleague's stream on the other.
 */
describe.skipIf(postgresUrl() === null)('scale-out: presence and changes through two tandem web processes', () => {
  const servers = mailServers();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-two-web-'));
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

  it(
    'shows a member on one web process, and what they change, to a colleague on the other',
    { timeout: 180_000 },
    async () => {
      const startWeb = async () => {
        const web = await startTandem(
          ['web', '--port', '0', '--data', dataDir],
          env,
          /Tandem is running at (http:\/\/\S+)/,
        );
        children.push(web.child);
        return web.printed;
      };
      const [one, two] = [await startWeb(), await startWeb()];
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
      const ann = await cliUserHeaders(dataDir, 'ann@example.test', env);
      const ben = await cliUserHeaders(dataDir, 'ben@example.test', env);
      const idOf = async (headers: Headers) =>
        ((await (await fetch(`${one}/api/v1/auth/me`, { headers })).json()) as { id: string }).id;
      const [annId, benId] = [await idOf(ann), await idOf(ben)];
      const support = await createMailUser(servers, 'support');
      const login = { security: 'none', username: support.username, password: support.password };
      const created = await fetch(`${one}/api/v1/mailboxes`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({
          kind: 'group',
          address: support.address,
          imap: { ...login, host: servers.imap.host, port: servers.imap.port },
          smtp: { ...login, host: servers.smtp.host, port: servers.smtp.port },
          syncPeriod: 'now',
          group: { name: 'Support', members: [{ userId: annId }, { userId: benId }] },
        }),
      });
      expect(created.status).toBe(201);
      const mailbox = (await created.json()) as { id: string };
      await deliver(
        servers,
        support.username,
        rawMessage('Seen together', { from: 'carla@customer.example', to: support.address }),
      );
      const conversations = async () =>
        (
          (await (await fetch(`${two}/api/v1/mailboxes/${mailbox.id}/conversations`, { headers: ben })).json()) as {
            items: { id: string }[];
          }
        ).items;
      await expect.poll(async () => (await conversations()).length, poll).toBe(1);
      const id = (await conversations())[0]?.id ?? '';
      const presenceOn = async (url: string, headers: Headers) =>
        (
          (await (await fetch(`${url}/api/v1/conversations/${id}`, { headers })).json()) as {
            presence: { id: string }[];
          }
        ).presence;
      const say = (url: string, headers: Headers, state: string) =>
        fetch(`${url}/api/v1/conversations/${id}/presence`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ state }),
        });

      // Ben listens on web two; Ann says on web one that she is replying.
      const heard = nextEvent(two, ben, (data) => data.includes('"presence"') && data.includes(annId));
      await new Promise((resolve) => setTimeout(resolve, 500)); // the stream is open before Ann speaks
      expect((await say(one, ann, 'replying')).status).toBe(200);
      expect(JSON.parse(await heard)).toMatchObject({
        type: 'presence',
        conversationId: id,
        members: [{ id: annId, state: 'replying' }],
      });
      await expect.poll(async () => (await presenceOn(two, ben)).map((p) => p.id), poll).toEqual([annId]);

      // Ben opens it on web two: Ann sees both on web one; Ann leaves: gone on web two.
      expect((await say(two, ben, 'viewing')).status).toBe(200);
      await expect
        .poll(async () => (await presenceOn(one, ann)).map((p) => p.id).sort(), poll)
        .toEqual([annId, benId].sort());
      expect((await say(one, ann, 'gone')).status).toBe(200);
      await expect.poll(async () => (await presenceOn(two, ben)).map((p) => p.id), poll).toEqual([benId]);

      // Ann assigns it to herself on web one: Ben's stream on web two hears of the change.
      const changed = nextEvent(two, ben, (data) => data.includes('"conversation.changed"'));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const assigned = await fetch(`${one}/api/v1/conversations/${id}`, {
        method: 'PATCH',
        headers: ann,
        body: JSON.stringify({ assigneeId: annId }),
      });
      expect(assigned.status).toBe(200);
      expect(JSON.parse(await changed)).toEqual({
        type: 'conversation.changed',
        mailboxId: mailbox.id,
        conversationId: id,
      });
    },
  );
});
