// Every view's URL, built in one place (the routes are in Workspace.tsx).
import type { RecordKind } from './contract.ts';
import { KIND_PATHS } from './records/kinds.ts';

export type SettingsTab = 'mailbox' | 'rules';
export type AccountTab = 'profile' | 'security' | 'users' | 'outgoing' | 'providers' | 'notifications' | 'tracking';
export type SetupStep = 'address' | 'server' | 'folders';

const search = (params: Record<string, string | undefined>) => {
  const entries = Object.entries(params).filter((e): e is [string, string] => !!e[1]);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
};

/** A folder (its path is one URL segment: "/" inside it is encoded), an email in it, and the search shown. */
export const mailPath = (folder: string, messageId: string | null = null, q = '') =>
  `/mail/${encodeURIComponent(folder)}${messageId ? `/${encodeURIComponent(messageId)}` : ''}${search({ q })}`;

/** A record kind's list, its "new" form, or one record. */
export const recordsPath = (kind: RecordKind, id: string | null = null, creating = false) =>
  `/records/${KIND_PATHS[kind]}${creating ? '/new' : id ? `/${encodeURIComponent(id)}` : ''}`;

export const settingsPath = (tab: SettingsTab = 'mailbox') => `/settings/${tab}`;

/** The user's own settings; `users` and `outgoing` are for administrators. */
export const accountPath = (tab: AccountTab = 'profile') => `/account/${tab}`;

/** The setup wizard's steps; the OAuth2 sign-in comes back to `/mailbox/setup?oauth=<grantId>` (src/api/routes/oauth.ts). */
export const setupPath = (step: SetupStep = 'address', address = '') =>
  `/mailbox/setup${step === 'address' ? '' : `/${step}`}${search({ address })}`;

/** A group mailbox's team view: its conversations under a filter, and the one open. */
export const teamPath = (mailboxId: string, conversationId: string | null = null, filter = 'all') =>
  `/team/${encodeURIComponent(mailboxId)}${conversationId ? `/${encodeURIComponent(conversationId)}` : ''}${search({
    filter: filter === 'all' ? undefined : filter,
  })}`;

/** Settings → Group Mailbox: the list, one group mailbox's settings, or the setup of a new one (`setup`). */
export const groupsPath = (mailboxId: string | null = null) =>
  `/groups${mailboxId ? `/${encodeURIComponent(mailboxId)}` : ''}`;
