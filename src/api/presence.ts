import { publishMailEvent } from '../events/index.ts';

/** How long a "viewing"/"replying" lasts without being said again (the web app repeats it every 20 s). */
export const PRESENCE_TTL_MS = 60_000;

type State = 'viewing' | 'replying';
interface Entry {
  name: string;
  state: State;
  until: number;
}

/** One member's presence as said to one process, and as relayed to the others. */
export interface PresenceUpdate {
  mailboxId: string;
  conversationId: string;
  user: { id: string; name: string };
  state: State | 'gone';
}

/**
 * Who has which conversation open, kept in memory and told to the mailbox's
 * members live (`presence` events). It is a hint, not data: a restart forgets
 * it. With several `tandem web` processes, each relays what it is told
 * (`relay`, through PostgreSQL: presence-relay.ts) and applies what the others
 * relay (`receive`), so every process knows every member's presence.
 */
export class Presence {
  private readonly byConversation = new Map<string, Map<string, Entry>>();

  constructor(private readonly relay: (update: PresenceUpdate) => void = () => undefined) {}

  /** A member of this process's clients says where they are. */
  update(update: PresenceUpdate, now = Date.now()): void {
    this.receive(update, now);
    this.relay(update);
  }

  /** What a member said to this or another process. */
  receive(update: PresenceUpdate, now = Date.now()): void {
    const { mailboxId, conversationId, user, state } = update;
    const here = this.byConversation.get(conversationId) ?? new Map<string, Entry>();
    if (state === 'gone') here.delete(user.id);
    else here.set(user.id, { name: user.name, state, until: now + PRESENCE_TTL_MS });
    if (here.size === 0) this.byConversation.delete(conversationId);
    else this.byConversation.set(conversationId, here);
    publishMailEvent({ type: 'presence', mailboxId, conversationId, members: this.members(conversationId, now) });
  }

  members(conversationId: string, now = Date.now()): { id: string; name: string; state: State }[] {
    const here = this.byConversation.get(conversationId);
    if (!here) return [];
    for (const [id, entry] of here) if (entry.until <= now) here.delete(id);
    return [...here].map(([id, e]) => ({ id, name: e.name, state: e.state }));
  }
}
