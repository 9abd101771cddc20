import { lazy, Suspense, useEffect, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import { formatDate } from '../format.ts';
import type { RecordEngagement, RecordKind, Touchpoint } from '../contract.ts';
import { KIND_PATHS } from './kinds.ts';

// Chart.js (about 56 KB gzipped) loads with the first record page, not with the app.
const ActivityChart = lazy(() => import('./ActivityChart.tsx'));

/** A record's touchpoints: last contacted/replied/engaged and counts, its weekly activity, every email in and out. */
export function Touchpoints({ kind, id, revision }: { kind: RecordKind; id: string; revision: number }) {
  const [engagement, setEngagement] = useState<RecordEngagement | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ok(api.GET(`/${KIND_PATHS[kind]}/{id}/engagement`, { params: { path: { id } } })).then(
      setEngagement,
      (e: unknown) => setError(describeError(e)),
    );
  }, [kind, id, revision]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!engagement) return <p aria-busy="true">Loading…</p>;
  const t = engagement.touchpoints;
  const when = (iso: string | null) => (iso ? formatDate(iso) : 'never');
  return (
    <section className="card touchpoints" aria-label="Touchpoints">
      <h2>Touchpoints</h2>
      {engagement.bouncing.map((b) => (
        <p key={b.address} className="error" role="status">
          {b.address} is bouncing since {formatDate(b.bouncedAt)}: {b.reason}
        </p>
      ))}
      <dl className="headers touchpoint-summary">
        <dt>Last contacted</dt>
        <dd>{when(t.lastContactedAt)}</dd>
        <dt>Last replied</dt>
        <dd>{when(t.lastRepliedAt)}</dd>
        <dt>Last engaged</dt>
        <dd>{when(t.lastEngagedAt)}</dd>
        <dt>Emails</dt>
        <dd>
          {t.emailsOut} out · {t.emailsIn} in · {count(t.opens, 'open')} · {count(t.clicks, 'click')} ·{' '}
          {count(t.replies, 'reply', 'replies')}
        </dd>
      </dl>
      <Suspense fallback={<p aria-busy="true">Loading the chart…</p>}>
        <ActivityChart weeks={engagement.weeks} />
      </Suspense>
      {engagement.items.length === 0 ? (
        <p className="empty">No emails in or out yet.</p>
      ) : (
        <ol className="touchpoint-list" aria-label="Emails in and out">
          {engagement.items.map((item) => (
            <li key={item.messageId} className={`touchpoint ${item.direction}`}>
              <span className="badge">{item.direction === 'out' ? 'Sent' : 'Received'}</span>{' '}
              <span className="subject">{item.subject || '(no subject)'}</span>{' '}
              <span className="date">{formatDate(item.date)}</span> <Outcome item={item} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What became of an email: bounced, opened N× (and by proxies), clicked which link, replied, auto-replied. */
function Outcome({ item }: { item: Touchpoint }) {
  if (item.answer === 'auto_reply') return <span className="engagement">auto-reply</span>;
  if (item.answer === 'reply') return <span className="engagement">reply</span>;
  const send = item.send;
  if (!send) return null;
  const parts: string[] = [];
  for (const b of send.bounced) parts.push(`bounced (${b.address}: ${b.status ?? b.reason})`);
  if (send.opens > 0 || send.otherOpens > 0)
    parts.push(
      `opened ${send.opens}×${send.otherOpens > 0 ? ` · ${send.otherOpens} more by privacy proxies or scanners` : ''}`,
    );
  for (const c of send.clicks) parts.push(`clicked ${c.url}${c.count > 1 ? ` ${c.count}×` : ''}`);
  if (send.replies.length > 0) parts.push(`replied${send.replies.length > 1 ? ` ${send.replies.length}×` : ''}`);
  if (send.autoReplies.length > 0) parts.push('auto-replied');
  return <span className="engagement">{parts.length === 0 ? 'sent' : parts.join(' · ')}</span>;
}
