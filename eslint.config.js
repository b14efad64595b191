// Lint for the whole repository. Besides the usual TypeScript and Vue rules, it enforces the
// one-way imports between runtimes that docs/architecture.md describes: the hub and the service
// worker never import Vue, Pinia or tab code; shared code imports nothing runtime-specific; the
// server takes only the protocol from src/.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import vue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const VUE = [
  { name: 'vue', message: 'Tab code only (src/app).' },
  { name: 'pinia', message: 'Tab code only (src/app).' },
]
// zod is the server's (and the checkout form's, loaded on its first submit): browser code checks what it
// receives with valibot (src/protocol/answers.ts), a few kB, so no page or worker starts with zod.
const ZOD_MESSAGE = 'Browser code validates with valibot (src/protocol/answers.ts); zod is for the server and the checkout.'
const ZOD = [
  { name: 'zod', message: ZOD_MESSAGE },
  { name: 'zod/mini', message: ZOD_MESSAGE },
]
// Types from the request schemas are free; a value import would bring zod along.
const REQUESTS = {
  group: ['**/protocol/requests', '**/protocol/requests.ts'],
  message: 'Only the server and the checkout load the request schemas (zod); import their types only.',
  allowTypeImports: true,
}
const BROWSER = [...VUE, ...ZOD]
const folder = (name, message) => ({ group: [`**/${name}/**`, `**/${name}`], message })
const APP = folder('app', 'Only the tab (src/app) imports tab code.')
const HUB = folder('hub', 'The hub is reached through its contract in src/shared, or hosted by src/app/realtime.')
const SW = folder('sw', 'The service worker is reached by messages (src/shared/swProtocol.ts), never imported.')
const SERVER_FROM_SRC = ['app', 'hub', 'sw', 'shared']
  .map((name) => ({
    group: [`**/src/${name}/**`, `**/src/${name}`],
    message: 'The server takes only the protocol (src/protocol) from src/.',
  }))
  .concat({ group: ['**/src/config', '**/src/config.ts'], message: 'src/config.ts reads the browser build variables.' })
const restrict = (paths, patterns) => ['error', { paths, patterns }]
const RESTRICT = '@typescript-eslint/no-restricted-imports'
// Times and dates shown to people are written in one place (src/app/utils/format.ts), from Intl in
// the user's locale, so a page never shows "01:20 AM" next to "1:20am".
const TIME_MESSAGE = 'Write times and dates with src/app/utils/format.ts (one Intl format everywhere).'
const ONE_TIME_FORMAT = [
  'error',
  ...['toLocaleTimeString', 'toLocaleDateString', 'toLocaleString'].map((name) => ({
    selector: `CallExpression[callee.property.name='${name}']`,
    message: TIME_MESSAGE,
  })),
  {
    selector: "NewExpression[callee.object.name='Intl'][callee.property.name='DateTimeFormat']",
    message: TIME_MESSAGE,
  },
  {
    selector: 'CallExpression[callee.property.name=/^get(UTC)?(Hours|Minutes)$/]',
    message: TIME_MESSAGE,
  },
]

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    // Tests assert on arbitrary JSON answers (`body.error.code`); typing every fixture would say nothing.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      // Playwright reads a fixture's dependencies from its first parameter, which must be a
      // destructuring pattern even when empty: `async ({}, use) => …`.
      'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }],
    },
  },
  { files: ['src/app/**/*.{ts,vue}'], rules: { [RESTRICT]: restrict(ZOD, [REQUESTS]) } },
  // The checkout shows the server's own reasons before sending: it checks its body with the request schema.
  { files: ['src/app/composables/useCheckout.ts'], rules: { [RESTRICT]: 'off' } },
  { files: ['src/**/*.{ts,vue}'], ignores: ['src/app/utils/format.ts'], rules: { 'no-restricted-syntax': ONE_TIME_FORMAT } },
  { files: ['src/hub/**/*.ts'], rules: { [RESTRICT]: restrict(BROWSER, [APP, SW, REQUESTS]) } },
  { files: ['src/sw/**/*.ts'], rules: { [RESTRICT]: restrict(BROWSER, [APP, HUB, REQUESTS]) } },
  {
    files: ['src/shared/**/*.ts', 'src/protocol/**/*.ts', 'src/config.ts'],
    ignores: ['src/protocol/requests.ts'],
    rules: { [RESTRICT]: restrict(BROWSER, [APP, HUB, SW, REQUESTS]) },
  },
  { files: ['src/protocol/requests.ts'], rules: { [RESTRICT]: restrict(VUE, [APP, HUB, SW]) } },
  { files: ['server/**/*.ts'], rules: { [RESTRICT]: restrict(VUE, SERVER_FROM_SRC) } },
  prettier,
)
