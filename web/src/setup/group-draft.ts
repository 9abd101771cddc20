// Setup Group Mailbox runs the My Mailbox wizard: the group (name, members,
// email-to-case) chosen first waits here, in this tab, until the wizard saves.
import type { NewMailbox } from '../contract.ts';

type Group = NonNullable<NewMailbox['group']>;
const KEY = 'tandem.groupMailboxDraft';

export function saveGroupDraft(group: Group): void {
  sessionStorage.setItem(KEY, JSON.stringify(group));
}

/** The group being set up, or null for My Mailbox. */
export function groupDraft(): Group | null {
  const saved = sessionStorage.getItem(KEY);
  return saved ? (JSON.parse(saved) as Group) : null;
}

export function clearGroupDraft(): void {
  sessionStorage.removeItem(KEY);
}

/** What the wizard adds to `POST /mailboxes` for a group mailbox. */
export function groupFields(): Pick<NewMailbox, 'kind' | 'group'> {
  const group = groupDraft();
  return group ? { kind: 'group', group } : {};
}
