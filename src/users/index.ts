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
  SESSION_TTL_MS,
} from './users.ts';
export { assertAcceptablePassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-policy.ts';
export type { NewUser, User } from './users.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export { updateProfile } from './profile.ts';
export { assertNotLocked, clearLoginFailures, FREE_LOGIN_FAILURES, recordLoginFailure } from './lockout.ts';
export {
  changePassword,
  directory,
  issuePasswordReset,
  listApiTokens,
  listSessions,
  listUsers,
  resetPassword,
  revokeApiToken,
  revokeOtherSessions,
  revokeSession,
  updateUser,
  userView,
} from './credentials.ts';
export type { AdminUserView, ApiTokenView, SessionView } from './credentials.ts';
export type { SessionOrigin } from './users.ts';
