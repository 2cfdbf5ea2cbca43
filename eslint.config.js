// npm run lint: typescript-eslint's type-aware recommended rules over every TypeScript file the
// typecheck covers (tsconfig.json). A rule turned off or eased here says why, in one line.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**', 'node_modules/**', 'modules/**',
      // Plain JavaScript (bin/, tools/run-tests.mjs, this file) has no types for the type-aware rules.
      '**/*.js', '**/*.mjs',
      // Codegen output: a finding there is fixed in tools/codegen, and the staleness test holds the rest.
      'src/generated/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A leading underscore marks a binding kept on purpose (a parameter in its place, a key left out of a rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Test bodies and stand-in handlers are async on purpose: a handler that rejects is not one that throws.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
