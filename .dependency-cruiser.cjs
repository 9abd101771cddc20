// Dependency rules, checked by `npm run lint` (docs/architecture.md draws them).
// Layers point down: a module may import the layers below it, never above, and no cycle is allowed.

/** Top-level layers of src/, highest first. */
const layers = [
  'cli',
  'api',
  'workflows',
  'crm',
  'mail',
  'engagement',
  'context',
  'users',
  'events',
  'access',
  'db',
  'blobs',
  'secrets',
  'config',
  'outbound',
  'errors',
];

/** Modules of src/mail/, highest first. */
const mailModules = [
  'drafts',
  'mailboxes',
  'sync',
  'send',
  'outbox',
  'run',
  'messages',
  'account',
  'oauth',
  'providers',
  'imap',
  'mime',
];

/** One rule per layer: it may not import any layer above it. */
function downwardOnly(prefix, names, ruleName) {
  return names.slice(1).map((name, index) => ({
    name: `${ruleName}-${name}`,
    comment: `${prefix}${name} may only import what lies below it`,
    severity: 'error',
    from: { path: `^${prefix}${name}/` },
    to: { path: `^${prefix}(${names.slice(0, index + 1).join('|')})/` },
  }));
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle ties modules together that the layers keep apart',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...downwardOnly('src/', layers, 'layer'),
    ...downwardOnly('src/mail/', mailModules, 'mail'),
    {
      name: 'web-types-only',
      comment: 'The web app never loads server code; it may only import its types',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.tsx?$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
