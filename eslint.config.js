// ESLint: eslint's and typescript-eslint's recommended sets, type-checked (the rules that need types are why
// this is ESLint rather than a faster linter: no-floating-promises, no-misused-promises, await-thenable,
// no-base-to-string, only-throw-error). Formatting is Prettier's (.prettierrc.json), not a lint rule.
// Every exception below says why.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },

  js.configs.recommended,
  { languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node } },

  // TypeScript: sources, commands, tests, with the types of tsconfig.check.json (the typecheck's program).
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_name` is how this code says "unused on purpose": positional parameters of an interface, and
      // `const { drop: _drop, ...rest } = o` to leave a field out of a copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // An async function without await is how a callback or an implementation of a Promise-returning
      // interface turns a throw into a rejection (kafkajs' eachMessage, fake sources, stubs); the rule's fix,
      // dropping `async`, would throw synchronously instead.
      '@typescript-eslint/require-await': 'off',
      // Kafka's and the registry's errors are values we pass on; `cause` is set where it adds something.
      'preserve-caught-error': 'off',
      // Forwarding a caught error (unknown) to reject() is not inventing a non-Error reason; only-throw-error
      // allows the same for throw by default.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // A variable a closure reads before its one assignment (a progress callback made before the loop that
      // sets what it reports) cannot be const: the suggested fix would move the read into the TDZ.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },

  // The generic codec reads and writes any message from its description: its structs are `any` by nature
  // (the messages' own types are derived from the descriptions, in src/protocol/messages).
  {
    files: ['src/protocol/schema.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },

  // Tests read JSON that a command printed (JSON.parse gives any) and poke at results field by field: the
  // assertions are the type check there. Fire-and-forget and unbound helpers are still errors.
  {
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // tests build frames and payloads byte by byte, control characters included
      'no-control-regex': 'off',
    },
  },

  // Plain JavaScript (bin, bench, examples, test fixtures): eslint's recommended set, no type information.
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
