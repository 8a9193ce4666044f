import { fileURLToPath } from 'node:url'

import { configDefaults, defineConfig, mergeConfig } from 'vitest/config'

import viteConfig from './vite.config.ts'

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'jsdom',
      include: ['src/**/__tests__/*.spec.ts'],
      exclude: [...configDefaults.exclude, 'e2e/**'],
      root: fileURLToPath(new URL('./', import.meta.url)),
      restoreMocks: true,
      unstubGlobals: true,
      // Dates show in the browser's zone; tests assert exact text, so fix the zone.
      env: { TZ: 'UTC' },
      // …and the locale dates and numbers are written in (src/lib/locale.ts).
      setupFiles: ['src/__tests__/setup.ts'],
    },
  }),
)
