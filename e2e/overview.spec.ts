import { expect, test } from '@playwright/test'
import { ADMIN, NYC } from './helpers'

// The overview answers "are every store's sales reaching Constructor?" at a glance.
test.describe('the overview', () => {
  test('an admin sees every store with its charts drawn, kept as a screenshot', async ({
    browser,
  }, testInfo) => {
    const context = await browser.newContext({
      storageState: ADMIN.state,
      viewport: { width: 1440, height: 1200 },
    })
    const page = await context.newPage()
    await page.goto('/')
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
    // the demo's three stores, each in the pipeline table and with a completeness calendar
    for (const code of ['NYC-001', 'BER-001', 'SYD-001']) {
      await expect(
        page.getByRole('table', { name: 'Stores pipeline' }).getByRole('link', { name: code }),
      ).toBeVisible()
      await expect(page.getByRole('list', { name: `Completeness of ${code}, last 30 days` })).toBeVisible()
    }
    // recharts drew real bars and lines (SVG), one revenue chart per currency, never a mixed sum
    const events = page.getByRole('figure', { name: 'Sales events per day' })
    await expect(events.locator('svg.recharts-surface[role="application"]')).toBeVisible()
    await expect(events.locator('.recharts-bar-rectangle path').first()).toBeVisible()
    for (const currency of ['USD', 'EUR', 'AUD']) {
      const revenue = page.getByRole('figure', { name: `Revenue per day (${currency})` })
      // revenue and, beside it, net sales (purchases minus refunds)
      await expect(revenue.locator('.recharts-line-curve[name="Revenue"]')).toBeVisible()
      await expect(revenue.locator('.recharts-line-curve[name="Net sales (after refunds)"]')).toBeVisible()
    }
    // the demo has a week of sales: recent days are uploaded, not flagged missing
    const nycYesterday = page
      .getByRole('list', { name: 'Completeness of NYC-001, last 30 days' })
      .locator('li')
      .nth(-2)
    await expect(nycYesterday).toHaveAttribute('data-state', /partial|complete/)
    await expect(page.getByText(/Days are each store's own local day/)).toBeVisible()

    const path = testInfo.outputPath('overview-admin.png')
    await page.screenshot({ path, fullPage: true })
    await testInfo.attach('overview (admin)', { path, contentType: 'image/png' })
    await context.close()
  })

  test('one store at a time, amounts in its own currency and locale', async ({ browser }) => {
    const context = await browser.newContext({ storageState: ADMIN.state })
    const page = await context.newPage()
    await page.goto('/')
    await page.getByRole('navigation', { name: 'Stores' }).getByRole('link', { name: 'BER-001' }).click()
    await expect(page).toHaveURL(/\?store=BER-001/)
    await expect(page.getByRole('figure', { name: 'Revenue per day (EUR)' })).toBeVisible()
    await expect(page.getByRole('figure', { name: 'Revenue per day (USD)' })).toHaveCount(0)
    // de-DE: "1.234,50 €"
    const day = page
      .getByRole('list', { name: /Completeness of BER-001/ })
      .locator('li')
      .first()
    await expect(day).toHaveAttribute('aria-label', /\d,\d\d\s€ submitted revenue/)
    await context.close()
  })

  test("a manager sees only their store, and another store's overview does not exist for them", async ({
    browser,
  }) => {
    const context = await browser.newContext({ storageState: NYC.state })
    const page = await context.newPage()
    await page.goto('/')
    const table = page.getByRole('table', { name: 'Stores pipeline' })
    await expect(table.getByRole('link', { name: 'NYC-001' })).toBeVisible()
    await expect(table.getByRole('link', { name: 'BER-001' })).toHaveCount(0)
    await page.goto('/?store=BER-001')
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
    await expect(page.getByRole('table', { name: 'Stores pipeline' })).toHaveCount(0)
    await context.close()
  })
})
