import { useNavigate, useParams } from 'react-router';
import type { User } from '../contract.ts';
import { accountPath } from '../paths.ts';
import type { AccountTab } from '../paths.ts';
import { DesktopNotifications } from './DesktopNotifications.tsx';
import { OutgoingServer } from './OutgoingServer.tsx';
import { Profile } from './Profile.tsx';
import { Security } from './Security.tsx';
import { SignInProviders } from './SignInProviders.tsx';
import { TrackingPolicy } from './TrackingPolicy.tsx';
import { Users } from './Users.tsx';

const TABS: { tab: AccountTab; label: string; admin: boolean }[] = [
  { tab: 'profile', label: 'Profile', admin: false },
  { tab: 'security', label: 'Password and sessions', admin: false },
  { tab: 'notifications', label: 'Desktop notifications', admin: false },
  { tab: 'users', label: 'Users', admin: true },
  { tab: 'outgoing', label: 'Fallback outgoing server', admin: true },
  { tab: 'providers', label: 'Sign-in providers', admin: true },
  { tab: 'tracking', label: 'Tracking', admin: true },
];

/** The user's own settings, and for administrators the instance's users, fallback outgoing server, sign-in providers and tracking policy. */
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
          {tab === 'notifications' && <DesktopNotifications />}
          {tab === 'users' && <Users self={user} />}
          {tab === 'outgoing' && <OutgoingServer />}
          {tab === 'providers' && <SignInProviders />}
          {tab === 'tracking' && <TrackingPolicy />}
        </div>
      </div>
    </main>
  );
}
