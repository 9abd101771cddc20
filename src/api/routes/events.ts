import type { ServerResponse } from 'node:http';
import { ownedMailboxIds } from '../../access/index.ts';
import { mailEventSchema, onMailEvent } from '../../events/index.ts';
import type { MailEvent } from '../../events/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';

const KEEPALIVE_MS = 25_000;

/**
 * Server-sent events for live views: what changed in the signed-in user's own
 * mailboxes (mailbox and folder only; the view re-reads through the API). Only
 * the mailbox owner receives its events, so nothing about a private email
 * reaches anyone else. The events of this process's engine (`tandem serve`), or
 * those the workers relay through PostgreSQL (`tandem web`).
 */
export function eventRoutes(app: ApiApp): void {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });

  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['events'],
        summary:
          'Live changes of your mailboxes and your notifications (text/event-stream): messages.added|changed|removed, mailbox.changed, notifications.changed, touchpoints.changed',
        produces: ['text/event-stream'],
        response: {
          200: mailEventSchema.describe(
            'The data of each event, named by its `type`; a `ready` event (data `{}`) comes on every (re)connect',
          ),
        },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const owned = new Map<string, boolean>();
      const isOwn = async (mailboxId: string): Promise<boolean> => {
        let known = owned.get(mailboxId);
        if (known === undefined) {
          known = (await ownedMailboxIds(app.tandem.store.db, user.id)).includes(mailboxId);
          owned.set(mailboxId, known);
        }
        return known;
      };

      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      stream.write('retry: 3000\n\nevent: ready\ndata: {}\n\n');
      open.add(stream);
      const send = (event: MailEvent) => {
        // A user's own notices go to that user alone.
        const mine = 'userId' in event ? Promise.resolve(event.userId === user.id) : isOwn(event.mailboxId);
        mine.then(
          (own) => {
            if (own && !stream.writableEnded) stream.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
          },
          (error: unknown) => request.log.warn({ err: error }, 'event not delivered'),
        );
      };
      const stop = onMailEvent(send);
      const keepalive = setInterval(() => stream.write(': keepalive\n\n'), KEEPALIVE_MS);
      stream.on('close', () => {
        stop();
        clearInterval(keepalive);
        open.delete(stream);
      });
    },
  );
}
