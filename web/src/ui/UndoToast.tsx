import { useEffect, useState } from 'react';
import { Undo2 } from 'lucide-react';

/** How long the undo of a move or a delete is offered. */
export const UNDO_MS = 8000;

/**
 * "2 conversations moved to Archive. Undo": offered for a few seconds, then gone. The time
 * stands still while the pointer or the focus is on it, so nobody has to race it.
 */
export function UndoToast({ text, onUndo, onExpire }: { text: string; onUndo: () => void; onExpire: () => void }) {
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(onExpire, UNDO_MS);
    return () => clearTimeout(timer);
  }, [text, held]);
  return (
    <div
      className="toast"
      role="status"
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <span>{text}</span>
      <button className="link" onClick={onUndo}>
        <Undo2 aria-hidden="true" size={16} /> Undo
      </button>
    </div>
  );
}
