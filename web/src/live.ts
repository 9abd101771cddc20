import { useEffect, useRef } from 'react';
import type { paths } from './api-schema.gen.ts';

/** An event's data as the server documents it, or `ready` (on every connect). */
export type MailEvent = paths['/events']['get']['responses'][200]['content']['text/event-stream'] | { type: 'ready' };

/** Every type, once: one the server adds or renames fails the typecheck here. */
const TYPES = Object.keys({
  ready: 0,
  'messages.added': 0,
  'messages.changed': 0,
  'messages.removed': 0,
  'mailbox.changed': 0,
  'conversation.changed': 0,
  presence: 0,
  'notifications.changed': 0,
  'touchpoints.changed': 0,
} satisfies Record<MailEvent['type'], 0>) as MailEvent['type'][];

/**
 * Live changes from the server (server-sent events; the browser reconnects by
 * itself). `ready` comes on every (re)connect: whatever happened while the
 * stream was down is picked up by re-reading then.
 */
export function useMailEvents(onEvent: (event: MailEvent) => void): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    const source = new EventSource('/api/v1/events');
    const listener = (message: MessageEvent<string>) => {
      // The stream's own data: the server writes each event's JSON under its type (the schema above).
      handler.current({ ...(JSON.parse(message.data) as object), type: message.type } as MailEvent);
    };
    for (const type of TYPES) source.addEventListener(type, listener);
    return () => source.close();
  }, []);
}
