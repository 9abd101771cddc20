import type { ApiApp } from '../../src/api/index.ts';
import { buildApp } from '../../src/api/index.ts';
import type { Dialect } from '../../src/db/index.ts';
import { createSession, createUser } from '../../src/users/index.ts';
import type { User } from '../../src/users/index.ts';
import { openTestContext } from './stores.ts';
import type { TestContext, TestContextOptions } from './stores.ts';

export interface TestApi {
  app: ApiApp;
  context: TestContext;
  close(): Promise<void>;
}

/** The whole HTTP app on a fresh store, for `inject()`. */
export async function startTestApi(
  dialect: Dialect,
  options: { setupCode?: string } & TestContextOptions = {},
): Promise<TestApi> {
  const context = await openTestContext(dialect, options);
  const app = await buildApp(context, { setupCode: options.setupCode ?? null });
  return {
    app,
    context,
    async close() {
      await app.close();
      await context.dispose();
    },
  };
}

let counter = 0;

/** A fresh user and a session token for it. */
export async function signedInUser(
  api: TestApi,
  options: { admin?: boolean } = {},
): Promise<{ user: User; token: string; auth: { authorization: string } }> {
  counter += 1;
  const user = await createUser(api.context.store.db, {
    email: `user${counter}-${Date.now()}@example.test`,
    password: 'password-1234',
    isAdmin: options.admin,
  });
  const { token } = await createSession(api.context.store.db, user.id);
  return { user, token, auth: { authorization: `Bearer ${token}` } };
}
