/** How the API tells the sync engine about changes (the engine also notices them on its own). */
export interface SyncControl {
  startMailbox(mailboxId: string): void;
  stopMailbox(mailboxId: string): Promise<void>;
  restartMailbox(mailboxId: string): Promise<void>;
  /** Local changes wait in the outbox: push them now. */
  nudge(mailboxId: string): void;
}

/** For a process without a sync engine (API-only, the CLI): the engines follow the store and notice changes by themselves. */
export const storeOnlySync: SyncControl = {
  startMailbox: () => undefined,
  stopMailbox: async () => undefined,
  restartMailbox: async () => undefined,
  nudge: () => undefined,
};
