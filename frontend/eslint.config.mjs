import { withVueTs, vueTsConfigs } from '@vue/eslint-config-typescript'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'

export default withVueTs(
  {
    name: 'dbay/files-to-lint',
    files: ['**/*.{ts,mts,vue}'],
  },
  {
    name: 'dbay/files-to-ignore',
    ignores: ['dist/**', 'coverage/**', 'test-results/**', 'playwright-report/**'],
  },
  pluginVue.configs['flat/recommended'],
  vueTsConfigs.recommendedTypeChecked,
  {
    name: 'dbay/rules',
    rules: {
      'vue/block-lang': ['error', { script: { lang: 'ts' } }],
      'vue/component-api-style': ['error', ['script-setup']],
      'vue/define-props-declaration': ['error', 'type-based'],
      'vue/define-emits-declaration': ['error', 'type-based'],
      'vue/multi-word-component-names': 'error',
      // Type-based props say `prop?: T`; an optional prop without a default is undefined, and
      // the type already tells every reader so.
      'vue/require-default-prop': 'off',
      'vue/require-typed-ref': 'error',
      'vue/no-unused-refs': 'error',
      'vue/no-useless-v-bind': 'error',
      'vue/prefer-true-attribute-shorthand': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-globals': [
        'error',
        { name: 'parseFloat', message: 'Money is BigInt koinu: use src/lib/money.ts.' },
      ],
    },
  },
  {
    // openapi-typescript writes a nullable `oneOf [X, NullEnum]` as `(X | NullEnum) | null`.
    name: 'dbay/generated-api-types',
    files: ['src/api/generated/**/*.ts'],
    rules: { '@typescript-eslint/no-duplicate-type-constituents': 'off' },
  },
  {
    name: 'dbay/config-files',
    files: ['*.config.{ts,mjs}', 'e2e/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
)
