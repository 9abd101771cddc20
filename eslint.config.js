import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * A folder's cursor has one writer, writeCursor with a transition of src/mail/run/folder-cursor.ts
 * (docs/sync.md invariant 4). uid_validity is also a column of other tables: it counts only on `folders`.
 */
const cursorWriteMessage =
  "Change a folder's cursor only with writeCursor and a transition of src/mail/run/folder-cursor.ts.";
const cursorColumns = '/^(uid_next|highest_modseq|first_sync_low_uid|first_sync_done|period_start_uid)$/';
const cursorWrites = [
  {
    selector: `CallExpression[callee.property.name='set'] Property[key.name=${cursorColumns}]`,
    message: cursorWriteMessage,
  },
  {
    selector: `CallExpression[callee.property.name='set'][arguments.0.value=${cursorColumns}]`,
    message: cursorWriteMessage,
  },
  {
    selector:
      "CallExpression[callee.property.name='set'][callee.object.callee.property.name='updateTable'][callee.object.arguments.0.value='folders'] Property[key.name='uid_validity']",
    message: cursorWriteMessage,
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'data/',
      'dist/',
      'web/dist/',
      'bench/results/',
      'coverage/',
      'web/src/api-schema.gen.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/mail/run/folder-cursor.ts', '**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', ...cursorWrites] },
  },
  {
    // The sync engine and the outbox write only through run.write, which checks the mailbox's lease in the
    // same transaction (docs/sync.md invariant 14). local-changes.ts is the API's side: a user's change and its op.
    files: ['src/mail/sync/**/*.ts', 'src/mail/outbox/**/*.ts'],
    ignores: ['src/mail/outbox/local-changes.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='transaction']",
          message: 'Open sync transactions with run.write(trx => …), which checks the lease inside them.',
        },
        {
          selector:
            "CallExpression[callee.property.name=/^(insertInto|updateTable|deleteFrom|replaceInto|mergeInto)$/][callee.object.name!='trx']",
          message: 'Write only on the `trx` that run.write hands out, so the write is fenced by the lease.',
        },
        ...cursorWrites,
      ],
    },
  },
  {
    // The web app reaches the server only through the REST API, typed by web/src/api-schema.gen.ts.
    files: ['web/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/*', '**/src/**', 'fastify', 'fastify-*', 'kysely', 'zod'],
              message: 'The web app may not import server code: use the API types (web/src/contract.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
