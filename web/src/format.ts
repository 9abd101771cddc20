import type { Address } from './contract.ts';

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  const today = new Date();
  if (date.toDateString() === today.toDateString())
    return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return date.toLocaleDateString(undefined, {
    day: 'numeric',
    month: 'short',
    year: date.getFullYear() === today.getFullYear() ? undefined : 'numeric',
  });
}

export function who(address: Address | null): string {
  if (!address) return '(unknown sender)';
  return address.name || address.address;
}

export function addressList(addresses: Address[]): string {
  return addresses.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');
}

const ROLE_NAMES: Record<string, string> = {
  '\\Inbox': 'Inbox',
  '\\Sent': 'Sent',
  '\\Drafts': 'Drafts',
  '\\Trash': 'Trash',
  '\\Junk': 'Junk',
  '\\Archive': 'Archive',
};

export function folderLabel(path: string, specialUse: string | null): string {
  if (path.toUpperCase() === 'INBOX') return 'Inbox';
  return (specialUse && ROLE_NAMES[specialUse]) ?? path;
}

/** Sync errors as the server states them (without their code), with what to do for the common ones. */
export function plainMailboxError(error: string | null): string | null {
  if (!error) return null;
  const detail = error.replace(/^[a-z_]+: /, '');
  if (/^auth_failed: /.test(error) || /refused the login|credentials|password/i.test(detail))
    return `${detail}. If the password was changed, enter the new one in Mailbox settings.`;
  if (/connect|ECONNREFUSED|timeout|ENOTFOUND/i.test(detail))
    return `The mail server cannot be reached; Tandem keeps trying. (${detail})`;
  return detail;
}
