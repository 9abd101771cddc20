import { useNavigate, useParams } from 'react-router';
import type { User } from '../contract.ts';
import { accountPath } from '../paths.ts';
import type { AccountTab } from '../paths.ts';
import { OutgoingServer } from './OutgoingServer.tsx';
import { Profile } from './Profile.tsx';
import { Security } from './Security.tsx';
import { TrackingPolicy } from './TrackingPolicy.tsx';
import { Users } from './Users.tsx';

const TABS: { tab: AccountTab; label: string; admin: boolean }[] = [
  { tab: 'profile', label: 'Profile', admin: false },
  { tab: 'security', label: 'Password and sessions', admin: false },
  { tab: 'users', label: 'Users', admin: true },
  { tab: 'outgoing', label: 'Fallback outgoing server', admin: true },
  { tab: 'tracking', label: 'Tracking', admin: true },
];

/** The user's own settings, and for administrators the instance's users, fallback outgoing server and tracking policy. */
export function AccountSettings({ user, onUserChanged }: { user: User; onUserChanged: (user: User) => void }) {
  const navigate = useNavigate();
  const asked = useParams().tab;
  const tabs = TABS.filter((t) => !t.admin || user.isAdmin);
  const tab = tabs.find((t) => t.tab === asked)?.tab ?? 'profile';
  return (
    <main className="settings">
      <div className="card">
        <h1>Account</h1>
        <div role="tablist" aria-label="Account settings" className="tabs">
          {tabs.map((t) => (
            <button
              key={t.tab}
              role="tab"
              aria-selected={tab === t.tab}
              className={tab === t.tab ? 'tab active' : 'tab'}
              onClick={() => void navigate(accountPath(t.tab))}
            >
              {t.label}
            </button>
          ))}
        </div>
        <div role="tabpanel" aria-label={tabs.find((t) => t.tab === tab)?.label}>
          {tab === 'profile' && <Profile onUserChanged={onUserChanged} />}
          {tab === 'security' && <Security />}
          {tab === 'users' && <Users self={user} />}
          {tab === 'outgoing' && <OutgoingServer />}
          {tab === 'tracking' && <TrackingPolicy />}
        </div>
      </div>
    </main>
  );
}
