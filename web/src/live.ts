import { useEffect, useRef } from 'react';

export interface MailEvent {
  type: 'ready' | 'messages.added' | 'messages.changed' | 'messages.removed' | 'mailbox.changed';
  mailboxId?: string;
  folder?: string;
}

const TYPES: MailEvent['type'][] = ['ready', 'messages.added', 'messages.changed', 'messages.removed', 'mailbox.changed'];

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
      const data = JSON.parse(message.data) as Partial<MailEvent>;
      handler.current({ ...data, type: message.type as MailEvent['type'] });
    };
    for (const type of TYPES) source.addEventListener(type, listener);
    return () => source.close();
  }, []);
}
