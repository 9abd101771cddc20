import { TandemError } from '../errors/index.ts';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

let common: Promise<Set<string>> | undefined;

/**
 * The ~49,000 most common passwords from breach corpora, as kept by the
 * zxcvbn-ts project (`@zxcvbn-ts/language-common`), loaded on first use.
 */
function commonPasswords(): Promise<Set<string>> {
  common ??= import('@zxcvbn-ts/language-common').then(({ dictionary }) => new Set(dictionary['passwords-common']));
  return common;
}

/**
 * A password Tandem accepts (NIST SP 800-63B §5.1.1.2): at least 8 characters,
 * not one of the commonly used or breached ones, not the account's own email.
 * No composition rules.
 */
export async function assertAcceptablePassword(password: string, email: string): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new TandemError('weak_password', `The password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new TandemError('weak_password', `The password must have at most ${MAX_PASSWORD_LENGTH} characters`);
  const lower = password.toLowerCase();
  const address = email.trim().toLowerCase();
  if (lower === address || lower === address.split('@')[0])
    throw new TandemError('weak_password', 'The password must not be your email address');
  if ((await commonPasswords()).has(lower))
    throw new TandemError(
      'weak_password',
      'This password is one of the most commonly used ones (it appears in lists of breached passwords): choose another',
    );
}
