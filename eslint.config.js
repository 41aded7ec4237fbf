import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.stack/', 'artifacts/', 'odoo-addons/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['scripts/**', 'test/e2e/**', 'test/resilience/**', 'test/lifecycle/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // BullMQ and Bull Board stay behind the queue adapter: jobs are plain handlers (src/ports/jobs.port.ts)
    files: ['src/**/*.ts'],
    ignores: ['src/adapters/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['bullmq', 'bullmq/*', '@bull-board/*'],
              message: 'only files under src/adapters/ may use BullMQ or Bull Board',
            },
          ],
        },
      ],
    },
  },
  {
    // ...and an adapter hands out none of their names (no re-export lists)
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportNamedDeclaration[declaration=null], ExportAllDeclaration',
          message: 'adapters export their own declarations only (no re-exports)',
        },
      ],
    },
  },
);
