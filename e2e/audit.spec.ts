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

    test("an admin sees a manager's correction of a sale, field by field", async ({ browser }) => {
      const orderId = `AUDIT-EDIT-${uniq()}`
      // the NYC manager enters a sale by hand, then corrects its price and customer on the sale's page
      const manager = await browser.newContext({ storageState: NYC.state })
      const mpage = await manager.newPage()
      await mpage.goto('/sales/new')
      await mpage.getByLabel('Order number').fill(orderId)
      await mpage.getByLabel('Customer id').fill('CUST-BEFORE')
      const item = mpage.getByRole('group', { name: 'Item 1' })
      await item.getByLabel('Item id (SKU)').fill('MUG-AUDIT')
      await item.getByLabel('Quantity').fill('2')
      await item.getByLabel('Unit price').fill('12.50')
      await mpage.getByRole('button', { name: 'Save sale' }).click()
      await expect(mpage.getByRole('status').filter({ hasText: `Sale ${orderId} saved` })).toBeVisible()

      await mpage.goto(`/sales?q=${encodeURIComponent(orderId)}`)
      await mpage.getByRole('link', { name: orderId, exact: true }).click()
      await mpage.getByLabel('Customer id').fill('CUST-AFTER')
      await mpage.getByLabel('Item 1 price').fill('13.75')
      await mpage.getByRole('button', { name: 'Save changes' }).click()
      await expect(mpage.getByText(/^Saved\./)).toBeVisible()
      await manager.close()

      // the admin finds the correction in the trail, with exactly what changed
      const admin = await browser.newContext({ storageState: ADMIN.state })
      const page = await admin.newPage()
      await page.goto('/audit')
      await page.getByLabel('Search').fill(orderId)
      await page.getByRole('button', { name: 'Apply' }).click()
      const trail = page.getByRole('table', { name: 'Audit trail' })
      const edit = trail.getByRole('row').filter({ hasText: 'sale.edited' })
      await expect(edit).toHaveCount(1)
      await expect(edit).toContainText(NYC.email)
      // the customer id changed; its values are never kept in clear, not even in the trail
      await expect(edit.locator('[data-change="customerId"]')).toContainText('before: [redacted]')
      await expect(edit.locator('[data-change="customerId"]')).not.toContainText('CUST-')
      await expect(edit.locator('[data-change="line 1"]')).toContainText('2 × 12.5')
      await expect(edit.locator('[data-change="line 1"]')).toContainText('2 × 13.75')
      await page.screenshot({ path: test.info().outputPath('audit-sale-edit.png'), fullPage: true })
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
