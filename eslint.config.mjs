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
    files: ['renderer/**/*.tsx', 'renderer/**/*.ts'],
    extends: [reactHooks.configs.flat.recommended],
  },
  {
    files: ['resources/guest-page/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly', location: 'readonly', fetch: 'readonly', URL: 'readonly', Blob: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Uint8Array: 'readonly', Uint16Array: 'readonly', Int16Array: 'readonly', Float32Array: 'readonly', DataView: 'readonly', Math: 'readonly', Promise: 'readonly', JSON: 'readonly', Object: 'readonly', Number: 'readonly', String: 'readonly', Array: 'readonly' } },
  },
);
