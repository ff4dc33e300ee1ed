import { expect, test } from '@playwright/test'

// Run by tests/web/test_console_vnc.py with a real QEMU guest behind `nimbus console-proxy`;
// NIMBUS_E2E_VNC_SERVER names the running server.
const SERVER = process.env.NIMBUS_E2E_VNC_SERVER ?? ''
const ADMIN_PASSWORD = process.env.NIMBUS_E2E_ADMIN_PASSWORD ?? ''

test.use({ testIdAttribute: 'data-test' })
test.skip(!SERVER, 'needs a running QEMU guest (tests/web/test_console_vnc.py)')

test('the console page shows a real guest display through noVNC', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto('/login')
  await page.locator('input[name=username]').fill('admin')
  await page.locator('input[name=password]').fill(ADMIN_PASSWORD)
  await page.locator('input[name=project]').fill('admin')
  await page.getByTestId('sign-in').click()
  await expect(page.getByTestId('whoami')).toHaveText('admin')

  await page.goto(`/servers/${SERVER}`)
  await page.locator('[data-action=console]').click()
  await expect(page).toHaveURL(/\/console\/vnc\?token=/)
  await expect(page.getByTestId('console-status')).toHaveText('connected', { timeout: 30_000 })

  // The guest's firmware draws text on its screen: wait until the canvas holds more than one colour.
  const canvas = page.getByTestId('console-screen').locator('canvas')
  await expect
    .poll(
      () =>
        canvas.evaluate((c: HTMLCanvasElement) => {
          const context = c.getContext('2d')
          if (!context || !c.width || !c.height) return 0
          const pixels = context.getImageData(0, 0, c.width, c.height).data
          const colours = new Set<number>()
          for (let i = 0; i < pixels.length && colours.size < 3; i += 4 * 97) {
            colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2])
          }
          return colours.size
        }),
      { timeout: 60_000 },
    )
    .toBeGreaterThan(1)
  await page.screenshot({ path: 'test-results/screenshots/console-vnc.png' })
  await page.getByTestId('ctrl-alt-del').click()

  // The ticket was single-use: reloading the same page is refused with the proxy's reason.
  await page.reload()
  await expect(page.getByTestId('console-problem')).toContainText('already used', { timeout: 20_000 })
  expect(errors).toEqual([])
})

test("the server page shows the guest's screen on demand", async ({ page }) => {
  await page.goto('/login')
  await page.locator('input[name=username]').fill('admin')
  await page.locator('input[name=password]').fill(ADMIN_PASSWORD)
  await page.locator('input[name=project]').fill('admin')
  await page.getByTestId('sign-in').click()
  await expect(page.getByTestId('whoami')).toHaveText('admin')

  await page.goto(`/servers/${SERVER}`)
  await page.locator('[data-action=screenshot]').click()
  const image = page.getByTestId('screenshot')
  await expect(image).toBeVisible({ timeout: 30_000 })
  expect(await image.getAttribute('src')).toMatch(/^data:image\/png;base64,/)
  expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
  await page.screenshot({ path: 'test-results/screenshots/server-screenshot.png' })
})
