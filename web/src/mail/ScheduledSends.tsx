import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { HeldSend } from '../contract.ts';
import type { ComposeStart } from './Compose.tsx';

/**
 * Atop the Sent folder: the emails scheduled to go later (held in Tandem until
 * their time). Cancel makes one a draft again; Edit does the same and opens it.
 */
export function ScheduledSends({
  mailboxId,
  revision,
  onEdit,
}: {
  mailboxId: string;
  revision: number;
  onEdit: (start: ComposeStart) => void;
}) {
  const [items, setItems] = useState<HeldSend[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [changed, setChanged] = useState(0);
  useEffect(() => {
    let live = true;
    ok(api.GET('/held-sends', { params: { query: { mailboxId } } })).then(
      (answer) => live && setItems(answer.items.filter((s) => s.state === 'scheduled')),
      () => undefined, // the list stays as it was; the next change reloads it
    );
    return () => {
      live = false;
    };
  }, [mailboxId, revision, changed]);

  const cancel = async (send: HeldSend, edit: boolean) => {
    try {
      const draft = await ok(api.POST('/held-sends/{id}/cancel', { params: { path: { id: send.id } } }));
      setError(null);
      setChanged((n) => n + 1);
      if (edit) onEdit({ kind: 'draft', draftId: draft.id });
    } catch (e) {
      setError(describeError(e));
      setChanged((n) => n + 1);
    }
  };

  if (items.length === 0 && !error) return null;
  return (
    <section className="scheduled-sends" aria-label="Scheduled emails">
      <h3>Scheduled</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="messages">
        {items.map((send) => (
          <li key={send.id} className="message-row pending">
            <span className="from">To: {send.to.join(', ')}</span>
            <span className="state">{new Date(send.sendAt).toLocaleString()}</span>
            <span className="subject">{send.subject || '(no subject)'}</span>
            <span className="row-actions">
              <button className="link" onClick={() => void cancel(send, true)} aria-label={`Edit ${send.subject}`}>
                Edit
              </button>
              <button className="link" onClick={() => void cancel(send, false)} aria-label={`Cancel ${send.subject}`}>
                Cancel
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
