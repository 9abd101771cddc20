export {
  authenticate,
  countUsers,
  createApiToken,
  createSession,
  createUser,
  deleteSession,
  findUserByEmail,
  normalizeEmail,
  userForToken,
  MIN_PASSWORD_LENGTH,
  SESSION_TTL_MS,
} from './users.ts';
export type { NewUser, User } from './users.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export { assertNotLocked, clearLoginFailures, FREE_LOGIN_FAILURES, recordLoginFailure } from './lockout.ts';
