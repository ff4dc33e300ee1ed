import { expect, test as base, type Page } from '@playwright/test'

// Every page of every test is watched: an uncaught error in the console's code fails the test.
const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ context }, use) => {
      const errors: string[] = []
      context.on('page', (page) => page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`)))
      await use(errors)
      expect(errors).toEqual([])
    },
    { auto: true },
  ],
})

const PASSWORD = process.env.NIMBUS_E2E_PASSWORD ?? ''
const ADMIN_PASSWORD = process.env.NIMBUS_E2E_ADMIN_PASSWORD ?? ''
const SHOTS = 'test-results/screenshots'

async function login(page: Page, username: string, password: string, project: string) {
  await page.goto('/login')
  await page.locator('input[name=username]').fill(username)
  await page.locator('input[name=password]').fill(password)
  await page.locator('input[name=project]').fill(project)
  await page.getByTestId('sign-in').click()
  await expect(page.getByTestId('whoami')).toHaveText(username)
}

const row = (page: Page, name: string) => page.locator(`tr[data-server="${name}"]`)

test.use({ testIdAttribute: 'data-test' })
test.describe.configure({ mode: 'serial' })

test('a member creates a server, watches it reach RUNNING, stops it, and the audit log shows it live', async ({ context }) => {
  const page = await context.newPage()
  await login(page, 'alice', PASSWORD, 'acme')
  await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true })

  await page.getByRole('link', { name: 'Servers' }).click()
  await expect(page.getByTestId('create-server')).toBeVisible()
  await page.getByTestId('create-server').click()
  const wizard = page.getByTestId('create-wizard')
  await wizard.locator('input[name=name]').fill('e2e-web')
  await wizard.getByTestId('wizard-next').click()
  await wizard.getByTestId('wizard-next').click()
  await wizard.locator('.n-base-selection').click()
  await page.getByText('acme-net (10.20.0.0/24)').click()
  await wizard.getByTestId('wizard-create').click()
  await expect(wizard).toBeHidden()

  // No reload from here on: the task and the row move by subscription.
  const activity = page.getByTestId('activity').locator('.task-progress').first()
  await expect(activity).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 45_000 })
  await expect(activity.getByTestId('progress')).toContainText('100')
  await expect(row(page, 'e2e-web')).toHaveAttribute('data-status', 'RUNNING')
  await expect(row(page, 'e2e-web')).toContainText('10.20.0.')
  await expect(page.locator('tr[data-server="other-srv"]')).toHaveCount(0)
  await page.screenshot({ path: `${SHOTS}/servers.png`, fullPage: true })

  // A second tab follows the audit log while the first one stops the server.
  const audit = await context.newPage()
  await login(audit, 'alice', PASSWORD, 'acme')
  await audit.goto('/audit')
  await expect(audit.locator('tr[data-operation="serverCreate"]').first()).toBeVisible()
  await expect(audit.locator('tr[data-operation="serverStop"]')).toHaveCount(0)

  await row(page, 'e2e-web').locator('[data-action=stop]').click()
  await page.getByRole('button', { name: 'Stop', exact: true }).click()
  await expect(row(page, 'e2e-web')).toHaveAttribute('data-status', 'STOPPED', { timeout: 45_000 })

  await expect(audit.locator('tr[data-operation="serverStop"]')).toHaveCount(1)
  await expect(audit.locator('tr[data-operation="serverStop"]')).toHaveAttribute('data-outcome', 'SUCCESS')
  await audit.screenshot({ path: `${SHOTS}/audit.png`, fullPage: true })

  await row(page, 'e2e-web').getByRole('link', { name: 'e2e-web' }).click()
  await expect(page.getByTestId('nics')).toContainText('10.20.0.')
  await expect(page.getByTestId('disks')).toContainText('GB')
  await expect(page.getByTestId('audit-table').locator('tr[data-operation="serverStop"]')).toHaveCount(1)
  await page.screenshot({ path: `${SHOTS}/server-detail.png`, fullPage: true })

  await page.getByRole('link', { name: 'Tasks' }).click()
  await expect(page.locator('.task-progress[data-status="SUCCEEDED"]').first()).toBeVisible()
  await page.screenshot({ path: `${SHOTS}/tasks.png`, fullPage: true })

  // Hosts are for operators: a member is told plainly, not shown an empty page.
  await page.goto('/hosts')
  await expect(page.getByTestId('denied')).toContainText("You are not allowed to see this page: permission 'compute.host.list'")
})

test('a reader sees the project servers but no create button or actions', async ({ page }) => {
  await login(page, 'rita', PASSWORD, 'acme')
  await page.goto('/servers')
  await expect(row(page, 'e2e-web')).toBeVisible()
  await expect(page.getByTestId('create-server')).toHaveCount(0)
  await expect(page.locator('[data-action]')).toHaveCount(0)
})

test("another project's servers are not shown", async ({ page }) => {
  await login(page, 'oscar', PASSWORD, 'other')
  await page.goto('/servers')
  await expect(row(page, 'other-srv')).toBeVisible()
  await expect(row(page, 'e2e-web')).toHaveCount(0)
  await expect(page.getByTestId('total')).toContainText('1 in total')
})

test('the project switcher signs in to another project, with the role held there', async ({ page }) => {
  await login(page, 'alice', PASSWORD, 'acme')
  await page.getByTestId('project-switcher').click()
  await page.locator('.n-base-select-option', { hasText: 'other' }).click()
  await page.getByTestId('switch-password').locator('input').fill(PASSWORD)
  await page.getByTestId('switch-confirm').click()
  await expect(page.getByTestId('project-switcher')).toContainText('other')
  await page.getByRole('link', { name: 'Servers' }).click()
  await expect(row(page, 'other-srv')).toBeVisible()
  await expect(row(page, 'e2e-web')).toHaveCount(0)
  await expect(page.getByTestId('create-server')).toHaveCount(0)
})

test('payload errors show next to their field; a wrong password is refused', async ({ page }) => {
  await page.goto('/login')
  await page.locator('input[name=username]').fill('alice')
  await page.locator('input[name=password]').fill('wrong-password')
  await page.locator('input[name=project]').fill('acme')
  await page.getByTestId('sign-in').click()
  await expect(page.getByTestId('login-error')).toContainText('Invalid username, password or project')

  await login(page, 'alice', PASSWORD, 'acme')
  await page.goto('/servers')
  await page.getByTestId('create-server').click()
  const wizard = page.getByTestId('create-wizard')
  await wizard.locator('input[name=name]').fill('x'.repeat(300))
  await wizard.getByTestId('wizard-next').click()
  await wizard.getByTestId('wizard-next').click()
  await wizard.getByTestId('wizard-create').click()
  // The server's error sends the wizard back to the step with the name, under the field.
  await expect(wizard.locator('.n-form-item').filter({ has: page.locator('input[name=name]') })).toContainText(/long|characters/i)
})

test('an expired or revoked session sends the user back to login', async ({ page }) => {
  await login(page, 'alice', PASSWORD, 'acme')
  await page.evaluate(() => {
    const raw = sessionStorage.getItem('nimbus.session')
    if (!raw) throw new Error('no session')
    sessionStorage.setItem('nimbus.session', JSON.stringify({ ...JSON.parse(raw), token: 'expired.token.value' }))
  })
  await page.goto('/servers')
  await expect(page).toHaveURL(/\/login\?expired=1/)
  await expect(page.getByTestId('expired')).toBeVisible()
})

test('an operator sees hosts, identity and the dashboard with capacity', async ({ page }) => {
  await login(page, 'admin', ADMIN_PASSWORD, 'admin')
  await expect(page.getByTestId('counts')).toBeVisible()
  await expect(page.getByText(/Capacity · 1 of 1 hosts online/)).toBeVisible()
  await page.screenshot({ path: `${SHOTS}/dashboard-admin.png`, fullPage: true })
  await page.getByRole('link', { name: 'Hosts' }).click()
  await expect(page.getByTestId('hosts-table')).toContainText('e2e-h1')
  await page.screenshot({ path: `${SHOTS}/hosts.png`, fullPage: true })
  await page.getByRole('link', { name: 'Servers' }).click()
  await expect(row(page, 'e2e-web')).toBeVisible()
  await expect(row(page, 'other-srv')).toBeVisible()
  // A public cloud's instance carries its provider; a server on a KVM host carries none.
  await expect(row(page, 'other-srv').locator('[data-provider="AWS"]')).toHaveText('AWS')
  await expect(row(page, 'e2e-web').locator('[data-provider]')).toHaveCount(0)

  // A batch: one parent task with a subtask per server.
  await page.getByTestId('create-server').click()
  let wizard = page.getByTestId('create-wizard')
  await wizard.locator('input[name=name]').fill('app')
  await wizard.locator('input[name=count]').fill('3')
  await wizard.getByTestId('wizard-next').click()
  await wizard.getByTestId('wizard-next').click()
  await wizard.getByTestId('wizard-create').click()
  const batch = page.getByTestId('activity').locator('.task-progress').first()
  await expect(batch).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 45_000 })
  for (const name of ['app-1', 'app-2', 'app-3']) await expect(row(page, name)).toHaveAttribute('data-status', 'RUNNING')
  await expect(row(page, 'app-1')).toContainText('e2e-h1')

  // The scheduler's refusal is explained, not just "failed".
  await page.getByTestId('create-server').click()
  wizard = page.getByTestId('create-wizard')
  await wizard.locator('input[name=name]').fill('huge')
  await wizard.getByTestId('wizard-next').click()
  await wizard.getByText('custom').click()
  await wizard.locator('input[name=memoryMb]').fill('1048576')
  await wizard.locator('input[name=memoryMb]').blur()
  await wizard.getByTestId('wizard-next').click()
  await wizard.getByTestId('wizard-create').click()
  const refused = page.getByTestId('activity').locator('.task-progress').first()
  await expect(refused).toHaveAttribute('data-status', 'FAILED', { timeout: 45_000 })
  await expect(refused.getByTestId('task-error')).toContainText('No host has room')
  await expect(row(page, 'huge')).toHaveAttribute('data-status', 'ERROR')
  await expect(row(page, 'huge')).toContainText('not enough memory')
  await page.screenshot({ path: `${SHOTS}/servers-admin.png`, fullPage: true })

  await page.getByTestId('filter-project').click()
  await page.locator('.n-base-select-option', { hasText: 'acme' }).click()
  await expect(row(page, 'other-srv')).toHaveCount(0)
  await expect(row(page, 'e2e-web')).toBeVisible()
  await expect(page.getByTestId('total')).toContainText('1 in total')
  await page.getByRole('link', { name: 'Identity' }).click()
  await page.locator('.n-tabs-tab', { hasText: 'Users' }).click()
  await expect(page.getByTestId('users-table')).toContainText('alice')
  await page.locator('input[name=name]').fill('alice')
  await page.locator('input[name=password]').fill(PASSWORD)
  await page.getByRole('button', { name: 'Create user' }).click()
  await expect(page.locator('.n-form-item').filter({ has: page.locator('input[name=name]') })).toContainText(/exists|taken|duplicate/i)
  await page.screenshot({ path: `${SHOTS}/identity.png`, fullPage: true })
})
