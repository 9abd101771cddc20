import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliver, mailServers, waitFor } from '../support/index.ts';
import { connectTestMailbox, rawMessage, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

interface Stream {
  text(): string;
  close(): void;
}

/** Reads a server-sent event stream into a string as it arrives. */
async function openStream(url: string, headers: Record<string, string>): Promise<Stream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no stream body');
  const decoder = new TextDecoder();
  let text = '';
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // aborted on close
    }
  })();
  return { text: () => text, close: () => controller.abort() };
}

describe('live events (GET /events)', () => {
  const servers = mailServers();
  let api: SyncTestApi;
  let url: string;
  const streams: Stream[] = [];

  beforeAll(async () => {
    api = await startSyncApi('sqlite');
    url = await api.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await api.close();
  });

  it('needs a signed-in user', async () => {
    const response = await fetch(`${url}/api/v1/events`);
    expect(response.status).toBe(401);
  });

  it("tells each owner about their own mailbox's changes, and nobody else", async () => {
    const [annMail, benMail] = await Promise.all([createMailUser(servers, 'ann'), createMailUser(servers, 'ben')]);
    const ann = await connectTestMailbox(api, servers, annMail);
    const ben = await connectTestMailbox(api, servers, benMail);
    await Promise.all([waitIdle(api, ann.owner.auth, ann.mailbox.id), waitIdle(api, ben.owner.auth, ben.mailbox.id)]);
    const annStream = await openStream(`${url}/api/v1/events`, ann.owner.auth);
    const benStream = await openStream(`${url}/api/v1/events`, ben.owner.auth);
    streams.push(annStream, benStream);
    await waitFor(() => annStream.text().includes('event: ready') && benStream.text().includes('event: ready'), {
      what: 'both streams to open',
    });

    await deliver(servers, annMail.username, rawMessage('Private to Ann'));
    await waitFor(() => annStream.text().includes(`"mailboxId":"${ann.mailbox.id}"`), { what: "Ann's event" });
    expect(annStream.text()).toMatch(/event: messages\.added\ndata: \{[^\n]*"folder":"INBOX"/);

    // Ben's own change comes after Ann's: once Ben has it, Ann's would have come first.
    await deliver(servers, benMail.username, rawMessage('For Ben'));
    await waitFor(() => benStream.text().includes(`"mailboxId":"${ben.mailbox.id}"`), { what: "Ben's event" });
    expect(benStream.text()).not.toContain(ann.mailbox.id);
    expect(annStream.text()).not.toContain(ben.mailbox.id);
    // Events name what changed, never the content.
    expect(annStream.text()).not.toContain('Private to Ann');
  });
});
