// The servers without CONDSTORE, QRESYNC, MOVE, NOTIFY or SPECIAL-USE and with INBOX.-prefixed
// folders that sync tests run against: the real Courier IMAP (test/support/courier.ts), and
// Dovecot made to look like it (the 'courier' profile of test/support/dovecot.ts).
import { afterAll, beforeAll } from 'vitest';
import { startCourier } from './courier.ts';
import type { RunningCourier } from './courier.ts';
import { mailServers } from './index.ts';
import { createMailUser, deliver, infoOf, otherClient, startMailServers } from './mail-servers.ts';
import type { MailServers, MailServersInfo, MailUser } from './mail-servers.ts';
import { startSyncApi } from './sync.ts';
import type { SyncTestApi } from './sync.ts';

export interface CourierLikeServer {
  /** IMAP is the server under test; SMTP is a Postfix that knows the same users. */
  servers: MailServersInfo;
  /** Where Postfix delivers what is sent (the shared Dovecot, for the real Courier). */
  recipients: MailServersInfo;
  api: SyncTestApi;
  newUser(localPart?: string): Promise<MailUser>;
  /** Puts a message in a folder of the user's, as new mail or another mail app would. */
  deliver(user: MailUser, raw: string, folder?: string): Promise<void>;
}

export const COURIER_LIKE = [
  { name: 'Courier IMAP 5.0', real: true },
  { name: 'Dovecot looking like Courier', real: false },
] as const;

/** For a describe block: the server (started in beforeAll) and a syncing app. */
export function useCourierLike(real: boolean): CourierLikeServer {
  const variant = {} as CourierLikeServer;
  let courier: RunningCourier | null = null;
  let dovecot: MailServers | null = null;
  beforeAll(async () => {
    variant.api = await startSyncApi();
    if (real) {
      const running = await startCourier();
      courier = running;
      // The Courier user also exists in the shared Dovecot, whose Postfix then takes its SMTP login.
      const shared = mailServers();
      variant.servers = { ...shared, imap: running.imap };
      variant.recipients = shared;
      variant.newUser = async (localPart) => {
        const user = await createMailUser(shared, localPart);
        await running.addUser(user);
        return user;
      };
      variant.deliver = async (user, raw, folder = 'INBOX') => {
        const client = await otherClient(variant.servers, user);
        try {
          await client.append(folder, raw);
        } finally {
          await client.logout();
        }
      };
    } else {
      dovecot = await startMailServers({ profile: 'courier' });
      const servers = infoOf(dovecot);
      variant.servers = servers;
      variant.recipients = servers;
      variant.newUser = (localPart) => createMailUser(servers, localPart);
      variant.deliver = async (user, raw, folder = 'INBOX') => {
        await deliver(servers, user.username, raw, { folder });
      };
    }
  });
  afterAll(async () => {
    await variant.api?.close();
    await courier?.stop();
    await dovecot?.stop();
  });
  return variant;
}
