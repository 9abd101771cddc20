import { useEffect, useState } from 'react';
import { Keyboard, Menu } from 'lucide-react';
import { folderLabel } from '../format.ts';
import type { Folder } from '../contract.ts';

/**
 * My Mailbox's side: Compose, the folders with their unread counts, and the keyboard help.
 * On a phone the folders fold into a menu under a button naming the folder shown.
 */
export function FolderList({
  folders,
  folder,
  searching,
  onFolder,
  onCompose,
  onHelp,
}: {
  folders: Folder[];
  folder: string;
  /** Search results are shown rather than a folder. */
  searching: boolean;
  onFolder: (path: string) => void;
  onCompose: () => void;
  onHelp: () => void;
}) {
  const [menu, setMenu] = useState(false);
  useEffect(() => setMenu(false), [folder, searching]);
  const shown = folders.find((f) => f.path === folder);
  return (
    <aside className="folders" aria-label="Folders">
      <button className="primary compose-button" onClick={onCompose}>
        Compose
      </button>
      <button
        className="folder-menu-button"
        aria-expanded={menu}
        aria-controls="folder-list"
        onClick={() => setMenu((open) => !open)}
      >
        <Menu aria-hidden="true" size={16} />
        {searching ? 'Search results' : folderLabel(folder, shown?.specialUse ?? null)}
      </button>
      <ul id="folder-list" className={menu ? 'open' : undefined}>
        {folders.map((f) => (
          <li key={f.path}>
            <button
              className={f.path === folder ? 'folder active' : 'folder'}
              aria-current={f.path === folder ? 'true' : undefined}
              onClick={() => {
                setMenu(false);
                onFolder(f.path);
              }}
            >
              <span>{folderLabel(f.path, f.specialUse)}</span>
              {f.unread > 0 && (
                <span className="count" aria-label={`${f.unread} unread`}>
                  {f.unread}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      <button className="link shortcuts-button" onClick={onHelp}>
        <Keyboard aria-hidden="true" size={16} /> Keyboard shortcuts
      </button>
    </aside>
  );
}
