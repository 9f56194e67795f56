import { expect, test } from '@playwright/test'
import { ADMIN, NYC, signIn, uniq } from './helpers'

// The audit trail: an admin sees what a manager changed, before → after; a manager sees only their own.
test.describe
  .serial('the audit trail', () => {
    const code = `AUD-${uniq()}`
    const email = `manager.${code.toLowerCase()}@demo.store`
    const temporary = `temporary harbour ${uniq()}`
    const chosen = `my own quiet lantern ${uniq()}`

    test("an admin sees a manager's edit with before and after", async ({ browser }) => {
      // the admin creates a manager with a temporary password…
      const admin = await browser.newContext({ storageState: ADMIN.state })
      const page = await admin.newPage()
      await page.goto('/settings/users')
      await page.getByRole('button', { name: 'New user' }).click()
      const dialog = page.getByRole('dialog', { name: 'New user' })
      await dialog.getByLabel('Email').fill(email)
      await dialog.getByLabel('Name').fill('Audit Manager')
      await dialog.getByLabel('Role').selectOption('MANAGER')
      await dialog.getByRole('checkbox', { name: /NYC-001/ }).check()
      await dialog.getByLabel('Temporary password').fill(temporary)
      await dialog.getByRole('button', { name: 'Create user' }).click()
      await expect(page.getByText(`User ${email} created`)).toBeVisible()

      // …who signs in and replaces it
      const manager = await browser.newContext()
      const mpage = await manager.newPage()
      await signIn(mpage, email, temporary)
      await expect(mpage).toHaveURL(/\/change-password/)
      await mpage.getByLabel('Current password').fill(temporary)
      await mpage.getByLabel('New password', { exact: true }).fill(chosen)
      await mpage.getByLabel('Confirm new password').fill(chosen)
      await mpage.getByRole('button', { name: 'Change password' }).click()
      await expect(mpage.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
      await manager.close()

      // the admin searches the trail for that manager
      await page.goto('/audit')
      await page.getByLabel('Search').fill(email)
      await page.getByRole('button', { name: 'Apply' }).click()
      await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(email).replace(/\./g, '\\.')}`))
      const trail = page.getByRole('table', { name: 'Audit trail' })
      const edit = trail.getByRole('row').filter({ hasText: 'user.password_changed' })
      await expect(edit).toHaveCount(1)
      await expect(edit).toContainText(email)
      await expect(edit.locator('[data-change="mustChangePassword"]')).toContainText('before: true')
      await expect(edit.locator('[data-change="mustChangePassword"]')).toContainText('after: false')
      await expect(trail.getByRole('row').filter({ hasText: 'auth.sign_in' }).first()).toBeVisible()
      await expect(trail.getByRole('row').filter({ hasText: 'user.created' })).toHaveCount(1)

      // filtering by kind keeps only the sign-ins
      await page.getByLabel('Kind').selectOption('signins')
      await page.getByRole('button', { name: 'Apply' }).click()
      await expect(trail.getByRole('row').filter({ hasText: 'user.password_changed' })).toHaveCount(0)
      await expect(trail.getByRole('row').filter({ hasText: 'auth.sign_in' }).first()).toBeVisible()
      await admin.close()
    })

    test("a manager does not see other people's settings changes or sign-ins", async ({ browser }) => {
      const context = await browser.newContext({ storageState: NYC.state })
      const page = await context.newPage()
      await page.goto(`/audit?q=${encodeURIComponent(email)}`)
      await expect(page.getByRole('heading', { level: 1, name: 'Audit trail' })).toBeVisible()
      await expect(page.getByText('Nothing matches these filters')).toBeVisible()
      await context.close()
    })
  })
