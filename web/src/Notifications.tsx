import { useCallback, useEffect, useRef, useState } from 'react';
import { Bell } from 'lucide-react';
import { useNavigate } from 'react-router';
import { api, ok } from './api.ts';
import type { Answer } from './contract.ts';
import { formatDate } from './format.ts';
import { mailPath } from './paths.ts';

type Notification = Answer<'/notifications', 'get'>['items'][number];

/** The bell in the top bar: unread count, and the list of notifications; re-read whenever `revision` moves. */
export function Notifications({ revision, inbox }: { revision: number; inbox: string }) {
  const [items, setItems] = useState<Notification[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const panel = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    const page = await ok(api.GET('/notifications'));
    setItems(page.items);
    setUnread(page.unread);
  }, []);
  useEffect(() => {
    load().catch(() => undefined);
  }, [load, revision]);

  const read = async (ids?: string[]) => {
    await ok(api.POST('/notifications/read', { body: ids ? { ids } : {} }));
    await load();
  };
  const show = (n: Notification) => {
    setOpen(false);
    if (!n.read) void read([n.id]);
    if (n.messageId) void navigate(mailPath(inbox, n.messageId));
  };

  return (
    <div
      className="notifications"
      ref={panel}
      onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
      onBlur={(e) => !panel.current?.contains(e.relatedTarget) && setOpen(false)}
    >
      <button
        className="tab"
        aria-expanded={open}
        aria-haspopup="true"
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
        onClick={() => setOpen((v) => !v)}
      >
        <Bell aria-hidden="true" size={18} />
        {unread > 0 && (
          <span className="count" aria-hidden="true">
            {unread}
          </span>
        )}
      </button>
      {open && (
        <section className="notification-panel card" aria-label="Notifications">
          <div className="notification-head">
            <h2>Notifications</h2>
            {unread > 0 && (
              <button className="link" onClick={() => void read()}>
                Mark all read
              </button>
            )}
          </div>
          {items.length === 0 ? (
            <p className="empty">Nothing yet: mentions and replies to your emails show here.</p>
          ) : (
            <ul className="plain-list">
              {items.map((n) => (
                <li key={n.id}>
                  <button className={n.read ? 'notification' : 'notification unread'} onClick={() => show(n)}>
                    <span>{n.summary}</span>
                    <span className="date">{formatDate(n.createdAt)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
