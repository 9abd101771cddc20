import { useCallback, useEffect, useState } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate, useParams } from 'react-router';
import { api, describeError, ok } from './api.ts';
import { useMailEvents } from './live.ts';
import { useDesktopNotifications } from './desktop-notifications.ts';
import { MailboxView } from './mail/MailboxView.tsx';
import { RecordsView } from './records/RecordsView.tsx';
import type { RecordsPlace } from './records/kinds.ts';
import { MailboxSettings } from './settings/MailboxSettings.tsx';
import { accountPath, groupsPath, recordsPath, settingsPath, setupPath, teamPath } from './paths.ts';
import { TeamView } from './team/TeamView.tsx';
import { AccountSettings } from './account/AccountSettings.tsx';
import { Notifications } from './Notifications.tsx';
import { CircleUser } from 'lucide-react';
import { GroupMailboxSetup } from './settings/GroupMailboxSetup.tsx';
import { GroupMailboxes } from './settings/GroupMailboxes.tsx';
import { GroupMailboxSettings } from './settings/GroupMailboxSettings.tsx';
import { KIND_PATHS } from './records/kinds.ts';
import { SetupWizard } from './setup/SetupWizard.tsx';
import type { Mailbox, RecordKind, User } from './contract.ts';
import { RECORD_KINDS } from './records/kinds.ts';

export function Workspace({
  user,
  onSignOut,
  onUserChanged,
}: {
  user: User;
  onSignOut: () => void;
  onUserChanged: (user: User) => void;
}) {
  const [mailbox, setMailbox] = useState<Mailbox | null | undefined>(undefined);
  const [groups, setGroups] = useState<Mailbox[]>([]);
  const [revision, setRevision] = useState(0);
  const navigate = useNavigate();
  const screen = useLocation().pathname.split('/')[1];
  const openRecords = (place: RecordsPlace) => void navigate(recordsPath(place.kind, place.id, place.creating));
  const openRecord = (kind: RecordKind, id: string) => openRecords({ kind, id });
  const [error, setError] = useState<string | null>(null);
  const managesAGroup = groups.some((g) => g.group?.members.some((m) => m.id === user.id && m.canManage));

  const reload = useCallback(async () => {
    try {
      const { items } = await ok(api.GET('/mailboxes'));
      setMailbox(items.find((m) => m.kind === 'personal') ?? null);
      setGroups(items.filter((m) => m.kind === 'group'));
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const notifyDesktop = useDesktopNotifications(mailbox ? [mailbox, ...groups] : groups);
  useMailEvents((event) => {
    notifyDesktop(event);
    if (
      event.type === 'ready' ||
      event.type === 'mailbox.changed' ||
      event.type === 'messages.added' ||
      event.type === 'messages.removed'
    )
      void reload();
    setRevision((r) => r + 1);
  });

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Tandem</span>
        <nav aria-label="Main">
          <button
            className={screen === 'mail' ? 'tab active' : 'tab'}
            onClick={() => void navigate('/mail')}
            aria-label="Inbox"
            title="Inbox"
          >
            <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">
              <path d="M3 5h18v14H3z M3 13h5l2 3h4l2-3h5" fill="none" stroke="currentColor" strokeWidth="2" />
            </svg>
            <span>Inbox</span>
          </button>
          <button
            className={screen === 'records' ? 'tab active' : 'tab'}
            onClick={() => void navigate(recordsPath('contact'))}
          >
            Records
          </button>
          {groups.length > 0 && (
            <button className={screen === 'team' ? 'tab active' : 'tab'} onClick={() => void navigate(teamPath(''))}>
              Team
            </button>
          )}
          {(user.isAdmin || managesAGroup) && (
            <button className={screen === 'groups' ? 'tab active' : 'tab'} onClick={() => void navigate(groupsPath())}>
              Group Mailbox
            </button>
          )}
          {mailbox && (
            <button
              className={screen === 'settings' ? 'tab active' : 'tab'}
              onClick={() => void navigate(settingsPath())}
            >
              Mailbox settings
            </button>
          )}
        </nav>
        <Notifications
          revision={revision}
          inbox={mailbox?.folders.find((f) => f.path.toUpperCase() === 'INBOX')?.path ?? 'INBOX'}
        />
        <button
          className={screen === 'account' ? 'tab who active' : 'tab who'}
          title={`${user.email}: profile, password, sessions${user.isAdmin ? ', users' : ''}`}
          aria-label={`Account: ${user.name || user.email}`}
          onClick={() => void navigate(accountPath())}
        >
          <CircleUser aria-hidden="true" size={18} />
          <span>{user.name || user.email}</span>
        </button>
        <button className="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {error && (
        <p role="alert" className="error banner">
          {error}
        </p>
      )}
      {mailbox === undefined ? (
        <main className="centered" aria-busy="true">
          <p>Loading…</p>
        </main>
      ) : (
        <Routes>
          <Route
            path="/mailbox/setup/:step?"
            element={
              <SetupWizard
                hasMailbox={mailbox !== null}
                onCancel={() => void navigate('/mail')}
                onDone={async () => {
                  await reload();
                  await navigate('/mail');
                }}
              />
            }
          />
          <Route
            path="/records/:kind/:id?"
            element={<RecordsRoute mailbox={mailbox} user={user} revision={revision} onNavigate={openRecords} />}
          />
          <Route
            path="/settings/:tab"
            element={
              mailbox ? (
                <MailboxSettings
                  mailbox={mailbox}
                  revision={revision}
                  onChanged={reload}
                  onDeleted={async () => {
                    await reload();
                    await navigate('/mail');
                  }}
                />
              ) : (
                <Navigate to="/mail" replace />
              )
            }
          />
          <Route path="/settings" element={<Navigate to={settingsPath()} replace />} />
          <Route path="/account/:tab?" element={<AccountSettings user={user} onUserChanged={onUserChanged} />} />
          <Route path="/groups" element={<GroupMailboxes user={user} revision={revision} />} />
          <Route path="/groups/setup" element={<GroupMailboxSetup />} />
          <Route path="/groups/:mailboxId" element={<GroupMailboxSettings groups={groups} onChanged={reload} />} />
          <Route
            path="/team/:mailboxId?/:conversationId?"
            element={<TeamView groups={groups} user={user} revision={revision} />}
          />
          <Route
            path="/mail/:folder?/:messageId?"
            element={
              mailbox ? (
                <MailboxView mailbox={mailbox} user={user} revision={revision} onOpenRecord={openRecord} />
              ) : (
                <NoMailbox />
              )
            }
          />
          <Route path="*" element={<Navigate to="/mail" replace />} />
        </Routes>
      )}
    </div>
  );
}

function NoMailbox() {
  const navigate = useNavigate();
  return (
    <main className="centered">
      <div className="card narrow">
        <h1>My Mailbox</h1>
        <p>Connect your email account: Tandem keeps it in two-way sync with your usual mail app.</p>
        <button className="primary" onClick={() => void navigate(setupPath())}>
          Setup My Mailbox
        </button>
      </div>
    </main>
  );
}

/** `/records/<kind>[/<id>|/new]`: an unknown kind goes to the contacts. */
function RecordsRoute(props: {
  mailbox: Mailbox | null;
  user: User;
  revision: number;
  onNavigate: (place: RecordsPlace) => void;
}) {
  const params = useParams();
  const kind = RECORD_KINDS.find((k) => KIND_PATHS[k] === params.kind);
  if (!kind) return <Navigate to={recordsPath('contact')} replace />;
  const place: RecordsPlace =
    params.id === 'new' ? { kind, id: null, creating: true } : { kind, id: params.id ?? null };
  return <RecordsView place={place} {...props} />;
}
