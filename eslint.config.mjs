// Lint for the whole repository: typescript-eslint's type-aware recommended rules (they see the
// types, so they catch floating promises, unsafe `any` and misused async handlers that syntax
// rules cannot), React's hook rules in the renderer, and plain recommended rules for the guest
// page's browser script. `npm test` runs it with --max-warnings 0.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', '.bench/**', 'test-results/**', 'coverage/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      // Fastify plugins and route handlers are async by contract (a plugin that returns a
      // promise needs no callback), whether or not they await; the same for handlers that
      // implement an async interface synchronously.
      '@typescript-eslint/require-await': 'off',
      // `_name` marks a parameter an interface makes us accept but we do not need.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests read the untyped JSON of the API under test (its shape is what they assert) and pass
    // expect() methods around: the unsafe-any and unbound-method rules would only add casts.
    files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**/*.ts', 'server/test-support/**/*.ts', 'electron/main/test-support/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // A global is declared with `var` in a declaration file; there is no other way to say it.
    files: ['**/*.d.ts'],
    rules: { 'no-var': 'off' },
  },
  {
    // The rules of hooks and complete effect dependencies. Not the plugin's React Compiler rules
    // (set-state-in-effect, refs, …): they describe what the compiler can optimise, and we do not
    // compile with it; resetting local state when a prop changes is a deliberate pattern here.
    files: ['renderer/**/*.tsx', 'renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: ['resources/guest-page/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly', location: 'readonly', fetch: 'readonly', URL: 'readonly', Blob: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Uint8Array: 'readonly', Uint16Array: 'readonly', Int16Array: 'readonly', Float32Array: 'readonly', DataView: 'readonly', Math: 'readonly', Promise: 'readonly', JSON: 'readonly', Object: 'readonly', Number: 'readonly', String: 'readonly', Array: 'readonly' } },
  },
);
