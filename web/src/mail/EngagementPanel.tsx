import { useEffect, useState } from 'react';
import { RefreshCw } from 'lucide-react';
import { api, describeError, ok } from '../api.ts';
import type { Engagement, EngagementEvent, RecipientEngagement } from '../contract.ts';

const WHO: Record<EngagementEvent['classification'], string> = {
  human: 'a person',
  privacy_proxy: 'a privacy proxy',
  scanner: 'a scanner',
  sender: 'you',
};

/**
 * Who opened and clicked an email sent with tracking: people's opens and clicks
 * counted, the rest (privacy proxies, scanners, the sender) named beside them
 * and listed on demand. Nothing shows for an email sent without tracking.
 */
export function EngagementPanel({ messageId, revision }: { messageId: string; revision?: number }) {
  const [engagement, setEngagement] = useState<Engagement | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let current = true;
    ok(api.GET('/messages/{id}/engagement', { params: { path: { id: messageId } } })).then(
      (value) => current && (setEngagement(value), setError(null)),
      (e: unknown) => current && setError(describeError(e)),
    );
    return () => {
      current = false;
    };
  }, [messageId, revision, reload]);

  if (error) return <p className="error">{error}</p>;
  if (!engagement?.tracked) return null;
  return (
    <section aria-label="Engagement" className="crm-block engagement">
      <h3>
        Engagement{' '}
        <button
          className="icon"
          aria-label="Refresh engagement"
          title="Refresh"
          onClick={() => setReload((n) => n + 1)}
        >
          <RefreshCw aria-hidden="true" size={14} />
        </button>
      </h3>
      <ul className="engagement-recipients">
        {engagement.recipients.map((r) => (
          <RecipientLine key={r.address} recipient={r} />
        ))}
      </ul>
    </section>
  );
}

function RecipientLine({ recipient }: { recipient: RecipientEngagement }) {
  const [open, setOpen] = useState(false);
  return (
    <li>
      <span className="address">{recipient.address}</span> <span className="summary">{summary(recipient)}</span>{' '}
      {recipient.events.length > 0 && (
        <button className="link" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
          {open ? 'Hide details' : 'Details'}
        </button>
      )}
      {open && (
        <ol className="engagement-events">
          {recipient.events.map((e, i) => (
            <li key={i} className={e.classification === 'human' ? undefined : 'note'}>
              {e.kind === 'open' ? 'Opened' : 'Clicked'}
              {e.url && (
                <>
                  {' '}
                  <a href={e.url} target="_blank" rel="noopener noreferrer">
                    {e.url}
                  </a>
                </>
              )}{' '}
              by {WHO[e.classification]}, {new Date(e.at).toLocaleString()}
              {e.classification !== 'human' && e.reason && ` (${e.reason})`}
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}

/** "opened 3× · clicked 1× · 2 more by privacy proxies or scanners", or "not opened yet". */
function summary(r: RecipientEngagement): string {
  const parts = [
    r.opens > 0 ? `opened ${r.opens}×` : 'not opened by a person yet',
    ...(r.clicks > 0 ? [`clicked ${r.clicks}×`] : []),
  ];
  const others = r.otherOpens + r.otherClicks;
  if (others > 0) parts.push(`${others} more by ${otherSources(r.events)}`);
  return parts.join(' · ');
}

function otherSources(events: EngagementEvent[]): string {
  const kinds = [...new Set(events.filter((e) => e.classification !== 'human').map((e) => e.classification))];
  const names = { privacy_proxy: 'privacy proxies', scanner: 'scanners', sender: 'you', human: '' };
  return kinds.map((k) => names[k]).join(', ');
}
