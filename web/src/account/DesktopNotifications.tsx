import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { Mailbox } from '../contract.ts';
import { desktopSupport, readDesktopPrefs, saveDesktopPrefs } from '../desktop-notifications.ts';
import type { DesktopPrefs } from '../desktop-notifications.ts';

/**
 * Opt-in desktop notifications for new mail in chosen folders, in this browser.
 * The browser's permission is asked only when the user turns them on.
 */
export function DesktopNotifications() {
  const [prefs, setPrefs] = useState<DesktopPrefs>(readDesktopPrefs);
  const [support, setSupport] = useState(desktopSupport);
  const [mailboxes, setMailboxes] = useState<Mailbox[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ok(api.GET('/mailboxes')).then(
      (answer) => setMailboxes(answer.items),
      (e: unknown) => setError(describeError(e)),
    );
  }, []);

  const change = (next: DesktopPrefs) => {
    setPrefs(next);
    saveDesktopPrefs(next);
  };

  const turnOn = async (on: boolean) => {
    if (!on) return change({ ...prefs, enabled: false });
    const permission = support === 'granted' ? 'granted' : await Notification.requestPermission();
    setSupport(permission);
    if (permission !== 'granted') return;
    // First time: every mailbox's inbox.
    const folders =
      Object.keys(prefs.folders).length > 0
        ? prefs.folders
        : Object.fromEntries(
            mailboxes.map((m) => [m.id, m.folders.filter((f) => f.path.toUpperCase() === 'INBOX').map((f) => f.path)]),
          );
    change({ enabled: true, folders });
  };

  const toggleFolder = (mailboxId: string, path: string, on: boolean) => {
    const current = prefs.folders[mailboxId] ?? [];
    change({
      ...prefs,
      folders: { ...prefs.folders, [mailboxId]: on ? [...current, path] : current.filter((p) => p !== path) },
    });
  };

  return (
    <div className="desktop-notifications">
      <p className="note">
        Your computer shows a notification when new mail arrives in the folders you choose, while Tandem is open in this
        browser. Emails you sent, and emails already read, are never notified.
      </p>
      {support === 'unsupported' ? (
        <p className="error">This browser cannot show desktop notifications.</p>
      ) : (
        <label className="check">
          <input
            type="checkbox"
            checked={prefs.enabled && support === 'granted'}
            onChange={(e) => void turnOn(e.target.checked)}
          />
          Show desktop notifications for new mail
        </label>
      )}
      {support === 'denied' && (
        <p className="error" role="alert">
          This browser blocks notifications from Tandem: allow them in the site settings (the icon left of the address),
          then turn them on here.
        </p>
      )}
      {prefs.enabled && support === 'granted' && (
        <div className="folder-choice">
          {mailboxes.map((m) => (
            <fieldset key={m.id}>
              <legend>{m.displayName || m.address}</legend>
              {m.folders
                .filter((f) => f.enabled)
                .map((f) => (
                  <label className="check" key={f.path}>
                    <input
                      type="checkbox"
                      checked={(prefs.folders[m.id] ?? []).includes(f.path)}
                      onChange={(e) => toggleFolder(m.id, f.path, e.target.checked)}
                    />
                    {f.path}
                  </label>
                ))}
            </fieldset>
          ))}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
