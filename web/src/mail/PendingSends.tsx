import { useEffect, useState } from 'react';
import { api, ok } from '../api.ts';
import type { SendItem } from '../contract.ts';

const LABEL: Record<'sending' | 'uncertain', string> = {
  sending: 'Sending…',
  uncertain: 'Uncertain: may not have been delivered',
};

/**
 * Atop the Sent folder: the sends not yet confirmed, so none goes unseen. 'sending' while the
 * SMTP exchange runs; 'uncertain' when the connection was lost after the whole message went and
 * no copy has been found yet (Tandem keeps looking; the user may send again).
 */
export function PendingSends({ mailboxId, revision }: { mailboxId: string; revision: number }) {
  const [items, setItems] = useState<SendItem[]>([]);
  useEffect(() => {
    let live = true;
    ok(api.GET('/sends', { params: { query: { mailboxId, state: 'sending,uncertain', limit: 50 } } })).then(
      (answer) => live && setItems(answer.items),
      () => undefined, // the list stays as it was; the next change reloads it
    );
    return () => {
      live = false;
    };
  }, [mailboxId, revision]);
  if (items.length === 0) return null;
  return (
    <ul className="messages pending-sends" aria-label="Sends not confirmed">
      {items.map((send) => (
        <li key={send.id} className={`message-row pending ${send.state}`}>
          <span className="from">To: {send.to.join(', ')}</span>
          <span className="state">
            {send.state === 'sending' || send.state === 'uncertain' ? LABEL[send.state] : ''}
          </span>
          <span className="subject">{send.subject ?? '(no subject)'}</span>
          {send.error && <span className="snippet">{send.error}</span>}
        </li>
      ))}
    </ul>
  );
}
