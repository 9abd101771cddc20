import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { HeldSend, Mailbox, RecordKind } from '../contract.ts';
import { Compose } from './Compose.tsx';
import type { ComposeStart } from './Compose.tsx';

interface ComposeWindow {
  key: number;
  start: ComposeStart;
  minimized: boolean;
}

/** How often a held send's state is read while it waits for its time. */
const POLL_MS = 1000;

/**
 * The docked compose windows (bottom right, the mailbox usable behind them):
 * several drafts at once, each minimized or restored on its own; and the
 * *Undo* notice of the email just sent, which Tandem holds for a few seconds.
 * Undo brings the email back into a window as a draft.
 */
export function useComposeDock({
  mailbox,
  senderName,
  linkTo,
  onNotice,
}: {
  mailbox: Mailbox | null;
  senderName: string;
  linkTo?: { recordType: RecordKind; recordId: string };
  /** A passing notice for the screen behind ("Your email was sent.", "Draft saved."). */
  onNotice: (notice: string | null) => void;
}): { open: (start: ComposeStart) => void; dock: ReactNode } {
  const [windows, setWindows] = useState<ComposeWindow[]>([]);
  const [held, setHeld] = useState<HeldSend | null>(null);
  const next = useRef(1);

  const open = (start: ComposeStart) =>
    setWindows((current) => {
      // A draft already open is restored, never opened twice.
      const same =
        start.kind === 'draft' && current.find((w) => w.start.kind === 'draft' && w.start.draftId === start.draftId);
      if (same) return current.map((w) => (w === same ? { ...w, minimized: false } : w));
      return [...current, { key: next.current++, start, minimized: false }];
    });
  const close = (key: number) => setWindows((current) => current.filter((w) => w.key !== key));
  const toggle = (key: number) =>
    setWindows((current) => current.map((w) => (w.key === key ? { ...w, minimized: !w.minimized } : w)));

  const undo = async (id: string) => {
    try {
      const draft = await ok(api.POST('/held-sends/{id}/cancel', { params: { path: { id } } }));
      setHeld(null);
      onNotice('Sending undone.');
      open({ kind: 'draft', draftId: draft.id });
    } catch (e) {
      onNotice(`Could not undo: ${describeError(e)}`);
    }
  };

  const dock = mailbox ? (
    <>
      <div className="compose-dock">
        {windows.map((w) => (
          <Compose
            key={w.key}
            start={w.start}
            mailbox={mailbox}
            senderName={senderName}
            linkTo={linkTo}
            minimized={w.minimized}
            onToggleMinimized={() => toggle(w.key)}
            onHeld={(send) => {
              close(w.key);
              if (send.state === 'scheduled' && send.sendAt - Date.now() > 60_000)
                onNotice(`Scheduled for ${new Date(send.sendAt).toLocaleString()}.`);
              else setHeld(send);
            }}
            onClose={(notice) => {
              close(w.key);
              onNotice(notice ?? null);
            }}
          />
        ))}
      </div>
      {held && (
        <HeldNotice
          key={held.id}
          held={held}
          onUndo={() => void undo(held.id)}
          onDone={(notice) => {
            setHeld(null);
            onNotice(notice);
          }}
        />
      )}
    </>
  ) : null;
  return { open, dock };
}

/** "Sending…" with Undo while the email is held; then what became of it. */
function HeldNotice({
  held,
  onUndo,
  onDone,
}: {
  held: HeldSend;
  onUndo: () => void;
  onDone: (notice: string) => void;
}) {
  const [left, setLeft] = useState(Math.max(0, Math.ceil((held.sendAt - Date.now()) / 1000)));
  useEffect(() => {
    let live = true;
    const timer = setInterval(() => {
      setLeft(Math.max(0, Math.ceil((held.sendAt - Date.now()) / 1000)));
      if (Date.now() < held.sendAt) return;
      ok(api.GET('/held-sends/{id}', { params: { path: { id: held.id } } })).then(
        (now) => {
          if (!live) return;
          if (now.state === 'sent') onDone('Your email was sent.');
          else if (now.state === 'failed') onDone(`Not sent: ${now.error ?? 'the server refused it'}`);
          else if (now.state === 'uncertain') onDone(now.error ?? 'The email may or may not have been sent.');
        },
        () => undefined, // asked again at the next tick
      );
    }, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [held.id]);
  return (
    <div className="held-notice" role="status">
      <span>{left > 0 ? `Sending in ${left} s…` : 'Sending…'}</span>
      {left > 0 && (
        <button className="link" onClick={onUndo}>
          Undo
        </button>
      )}
    </div>
  );
}
