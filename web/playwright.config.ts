import { defineConfig } from '@playwright/test'

// Run by tests/web/test_console.py against a stack it starts; NIMBUS_E2E_URL names the api.
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/playwright',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.NIMBUS_E2E_URL ?? 'http://127.0.0.1:8000',
    viewport: { width: 1360, height: 820 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium, installed by scripts/apt-packages.txt; Playwright downloads nothing.
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
})
