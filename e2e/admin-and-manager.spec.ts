import { expect, test } from '@playwright/test'
import { ADMIN, signIn, uniq } from './helpers'

// The admin sets up a new store and its manager; the manager signs in, sees only that store, and
// password guessing against them is throttled without locking them out for long.
test.describe
  .serial('a new store and its manager', () => {
    const code = `E2E-${uniq()}`
    const email = `manager.${code.toLowerCase()}@demo.store`
    const temporary = `temporary lantern ${uniq()}`
    const chosen = `my own quiet harbour ${uniq()}`

    test('the admin creates a store and a manager for it', async ({ browser }) => {
      const context = await browser.newContext({ storageState: ADMIN.state })
      const page = await context.newPage()
      await page.goto('/settings/stores')
      await page.getByRole('button', { name: 'New store' }).click()
      const storeDialog = page.getByRole('dialog', { name: 'New store' })
      await storeDialog.getByLabel('Code').fill(code)
      await storeDialog.getByLabel('Name').fill('Lisbon — Chiado')
      await storeDialog.getByLabel('Latitude').fill('95')
      await storeDialog.getByLabel('Longitude').fill('-9.1427')
      await storeDialog.getByLabel('Time zone').selectOption('Europe/Lisbon')
      await storeDialog.getByLabel('Currency').fill('EUR')
      await storeDialog.getByLabel('Locale').fill('pt-PT')
      await storeDialog.getByRole('button', { name: 'Create store' }).click()
      // the same schema runs in the browser: the field says what is wrong before anything is sent
      await expect(storeDialog.getByText('Latitude must be between -90 and 90')).toBeVisible()
      await storeDialog.getByLabel('Latitude').fill('38.7107')
      await storeDialog.getByRole('button', { name: 'Create store' }).click()
      await expect(page.getByText(`Store ${code} created`)).toBeVisible()
      await expect(page.getByRole('cell', { name: code, exact: true })).toBeVisible()

      await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Users' }).click()
      await page.getByRole('button', { name: 'New user' }).click()
      const userDialog = page.getByRole('dialog', { name: 'New user' })
      await userDialog.getByLabel('Email').fill(email)
      await userDialog.getByLabel('Name').fill('Lia Lisbon')
      await userDialog.getByLabel('Role').selectOption('MANAGER')
      await userDialog.getByRole('checkbox', { name: new RegExp(code) }).check()
      await userDialog.getByLabel('Temporary password').fill('password1234')
      await userDialog.getByRole('button', { name: 'Create user' }).click()
      await expect(userDialog.getByRole('alert')).toHaveText(/too common/)
      await userDialog.getByLabel('Temporary password').fill(temporary)
      await userDialog.getByRole('button', { name: 'Create user' }).click()
      await expect(page.getByText(`User ${email} created`)).toBeVisible()
      await expect(page.getByRole('cell', { name: email, exact: true })).toBeVisible()
      await context.close()
    })

    test('the manager changes the temporary password and sees only that store everywhere', async ({
      page,
    }) => {
      await signIn(page, email, temporary)
      await expect(page).toHaveURL(/\/change-password/)
      await page.getByLabel('Current password').fill(temporary)
      await page.getByLabel('New password', { exact: true }).fill(chosen)
      await page.getByLabel('Confirm new password').fill(chosen)
      await page.getByRole('button', { name: 'Change password' }).click()
      await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
      await expect(page.getByTestId('current-user')).toHaveText('Lia Lisbon')

      // the demo stores have a week of sales; none of it is this manager's
      const pipeline = page.getByRole('region', { name: 'Pipeline' })
      const counts = pipeline.getByRole('link')
      await expect(counts).toHaveCount(5)
      for (const n of await counts.allTextContents()) expect(n).toBe('0')
      await expect(page.getByText(/NYC-001|BER-001|SYD-001/)).toHaveCount(0)
      const nav = page.getByRole('navigation', { name: 'Main' })
      await expect(nav.getByRole('link', { name: 'Settings' })).toHaveCount(0)
      for (const [section, empty] of [
        ['Sales', 'No sales yet'],
        ['Uploads', 'No uploads yet'],
        ['Batches', 'No batches yet'],
      ] as const) {
        await nav.getByRole('link', { name: section }).click()
        await expect(page.getByRole('heading', { level: 1, name: section })).toBeVisible()
        await expect(page.getByText(empty)).toBeVisible()
        await expect(page.getByText(/NYC-001|BER-001|SYD-001/)).toHaveCount(0)
      }
      await page.goto('/settings/users')
      await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
    })

    test('ten wrong passwords are throttled, and the right one works once the delay has passed', async ({
      page,
    }) => {
      test.setTimeout(240_000)
      await page.goto('/login')
      const alert = page.locator('form').getByRole('alert')
      let message = ''
      let throttled = 0
      for (let i = 1; i <= 10; i++) {
        await page.getByLabel('Email').fill(email)
        await page.getByLabel('Password', { exact: true }).fill(`wrong guess ${i}`)
        const answered = page.waitForResponse((r) => r.request().method() === 'POST')
        await page.getByRole('button', { name: 'Sign in' }).click()
        await answered
        await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled()
        await expect(alert).toBeVisible()
        message = (await alert.textContent()) ?? ''
        expect(message).toMatch(
          /The email or password is not right|Too many attempts, try again in \d+ seconds/,
        )
        if (/Too many attempts/.test(message)) throttled++
      }
      // an attempt that lands just after a delay ends is checked (and starts a longer delay), so which of
      // the ten is refused depends on timing; that the guessing was slowed down does not
      expect(throttled, `no attempt was throttled; the last answer was: ${message}`).toBeGreaterThan(0)

      // keep guessing until a delay of a few seconds is running, so the next check cannot race its end
      const attempt = async (password: string) => {
        await page.getByLabel('Password', { exact: true }).fill(password)
        const answered = page.waitForResponse((r) => r.request().method() === 'POST')
        await page.getByRole('button', { name: 'Sign in' }).click()
        await answered
        await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled()
        return Number(
          /Too many attempts, try again in (\d+) seconds/.exec((await alert.textContent()) ?? '')?.[1] ?? 0,
        )
      }
      let seconds = 0
      for (let i = 0; i < 30 && seconds < 3; i++) seconds = await attempt(`wrong again ${i}`)
      expect(seconds, 'repeated guessing must lead to a delay of several seconds').toBeGreaterThanOrEqual(3)

      // even the right password is refused while the delay runs…
      const wait = await attempt(chosen)
      await expect(page).toHaveURL(/\/login/)
      expect(wait).toBeGreaterThan(0)
      // …and the real person is not locked out for long
      expect(wait).toBeLessThanOrEqual(60)
      await page.waitForTimeout(wait * 1000 + 500)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
    })

    test('deactivating the manager ends their session at the next click', async ({ browser, page }) => {
      await signIn(page, email, chosen)
      await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()

      const admin = await browser.newContext({ storageState: ADMIN.state })
      const adminPage = await admin.newPage()
      await adminPage.goto('/settings/users')
      await adminPage.getByRole('button', { name: `Deactivate ${email}` }).click()
      await adminPage.getByRole('dialog').getByRole('button', { name: 'Deactivate' }).click()
      await expect(adminPage.getByText(`${email} deactivated`)).toBeVisible()
      await admin.close()

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sales' }).click()
      await expect(page).toHaveURL(/\/login/)
    })
  })
