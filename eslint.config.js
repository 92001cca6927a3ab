// Lint rules are also the architecture's fences: shared/ is pure code that runs in the browser
// and in Node, so it may not import Node built-ins, server frameworks, client-node, Vue or D3.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import pluginVue from 'eslint-plugin-vue';

const notInShared = [
  { group: ['node:*', 'fs', 'path', 'os', 'http', 'https', 'crypto', 'child_process', 'url', 'net'], message: 'shared/ runs in the browser too: no Node built-ins.' },
  { group: ['express', 'express/*', 'socket.io', 'socket.io/*', '@kubernetes/*', 'vue', 'd3', 'd3-*'], message: 'shared/ is the pure core: no frameworks or I/O libraries.' },
  { group: ['**/server/**', '**/client/**'], message: 'shared/ may not depend on server/ or client/.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'client/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: { 'no-restricted-imports': ['error', { patterns: notInShared }] },
  },
  {
    files: ['server/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/client/**'], message: 'server/ may not import client code.' }] }] },
  },
  // The dashboard: Vue single-file components with TypeScript, running in the browser.
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['client/**/*.ts', 'client/**/*.vue'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
    rules: {
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/multi-word-component-names': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/server/**', 'node:*', 'express', '@kubernetes/*'], message: 'client/ runs in the browser: shared/ code only, no server code.' },
            { group: ['d3', 'd3-*'], message: 'D3 only in client/render/ (layout and drawing stay apart from components).' },
          ],
        },
      ],
    },
  },
  {
    files: ['client/render/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/server/**', 'node:*', 'express', '@kubernetes/*', 'vue'], message: 'client/render/ is D3 and plain functions: no Vue, no server code.' }] }],
    },
  },
);
