import { FolderInput, Mail, MailOpen, Star, StarOff, Trash2 } from 'lucide-react';
import { folderLabel } from '../format.ts';
import type { Folder } from '../contract.ts';
import type { BulkChange } from './bulk.ts';

/**
 * Above the list: "select all" for the rows shown, and once some are ticked the actions
 * for all of them at once (read/unread, star/unstar, move, delete).
 */
export function BulkBar({
  checked,
  total,
  folders,
  folder,
  busy,
  onSelectAll,
  onChange,
}: {
  checked: number;
  total: number;
  folders: Folder[];
  /** The folder shown (null in search results): not offered as a place to move to. */
  folder: string | null;
  busy: boolean;
  onSelectAll: (on: boolean) => void;
  onChange: (change: BulkChange) => void;
}) {
  if (total === 0) return null;
  const all = checked === total;
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selected emails">
      <label className="inline select-all">
        <input
          type="checkbox"
          checked={all}
          ref={(box) => {
            if (box) box.indeterminate = checked > 0 && !all;
          }}
          onChange={(e) => onSelectAll(e.target.checked)}
        />
        Select all
      </label>
      {checked > 0 && <span className="selected-count">{checked} selected</span>}
      {checked > 0 && (
        <>
          <button disabled={busy} onClick={() => onChange({ seen: true })} title="Mark read">
            <MailOpen aria-hidden="true" size={16} /> <span className="label">Mark read</span>
          </button>
          <button disabled={busy} onClick={() => onChange({ seen: false })} title="Mark unread">
            <Mail aria-hidden="true" size={16} /> <span className="label">Mark unread</span>
          </button>
          <button disabled={busy} onClick={() => onChange({ flagged: true })} title="Star">
            <Star aria-hidden="true" size={16} /> <span className="label">Star</span>
          </button>
          <button disabled={busy} onClick={() => onChange({ flagged: false })} title="Unstar">
            <StarOff aria-hidden="true" size={16} /> <span className="label">Unstar</span>
          </button>
          <label className="inline move" title="Move to folder">
            <FolderInput aria-hidden="true" size={16} />
            <select
              value=""
              disabled={busy}
              aria-label="Move selected to folder"
              onChange={(e) => e.target.value && onChange({ folder: e.target.value })}
            >
              <option value="">Move to…</option>
              {folders
                .filter((f) => f.path !== folder)
                .map((f) => (
                  <option key={f.path} value={f.path}>
                    {folderLabel(f.path, f.specialUse)}
                  </option>
                ))}
            </select>
          </label>
          <button disabled={busy} className="danger" onClick={() => onChange({ delete: true })} title="Delete">
            <Trash2 aria-hidden="true" size={16} /> <span className="label">Delete</span>
          </button>
        </>
      )}
    </div>
  );
}
