import { defineConfig, devices } from '@playwright/test'

/**
 * Browser tests run against an already running server: by default the local gateway on
 * port 3000, which serves the built app and routes /api. Point E2E_BASE_URL elsewhere
 * (for example `npx vite preview --port 3000 --strictPort`) to test the app on its own.
 *
 * Playwright never downloads a browser here: it drives the system Chromium
 * (/usr/bin/chromium, or CHROMIUM_PATH). Do not run `playwright install`.
 */
const baseURL = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000'
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
  projects: [
    {
      name: 'chromium-desktop',
      use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } },
    },
  ],
})
