import { expect, test } from '@playwright/test'
import { NYC } from './helpers'

// The sales table as a manager uses it: the view lives in the URL (bookmark, reload, share), the
// keyboard moves through rows, and nothing of another store shows in any table, filter, count or export.
test.use({ storageState: NYC.state })

test('filters, sort and page live in the URL and survive a reload', async ({ page }) => {
  await page.goto('/sales')
  await expect(page.getByRole('heading', { level: 1, name: 'Sales' })).toBeVisible()
  await page.getByRole('button', { name: 'Status' }).click()
  await page.getByRole('dialog', { name: 'Filter by status' }).getByText('Invalid', { exact: true }).click()
  await expect(page).toHaveURL(/status=INVALID/)
  await page.keyboard.press('Escape')
  await page.getByRole('button', { name: /^Order: sort/ }).click()
  await expect(page).toHaveURL(/sort=orderId\.desc/)
  await page.reload()
  await expect(page.getByRole('columnheader', { name: /Order/ })).toHaveAttribute('aria-sort', 'descending')
  await expect(page.getByRole('button', { name: 'Status' })).toContainText('Invalid')
  for (const status of await page.getByRole('row').locator('td:nth-child(9)').allTextContents())
    expect(status).toBe('Invalid')
})

test('a selection is kept while moving between pages', async ({ page }) => {
  await page.goto('/sales?size=25')
  const rows = page.getByRole('row', { name: /^Order / })
  await rows.first().getByRole('checkbox').check()
  await page.getByRole('button', { name: 'Next page' }).click()
  await expect(page).toHaveURL(/page=2/)
  await rows.first().getByRole('checkbox').check()
  await expect(page.getByRole('region', { name: 'Bulk actions' })).toContainText('2 sales selected')
  await page.getByRole('button', { name: 'Previous page' }).click()
  await expect(rows.first().getByRole('checkbox')).toBeChecked()
})

test('the keyboard moves through rows and opens one', async ({ page }) => {
  await page.goto('/sales')
  const rows = page.getByRole('row', { name: /^Order / })
  await rows.first().focus()
  await page.keyboard.press('ArrowDown')
  await expect(rows.nth(1)).toBeFocused()
  const name = (await rows.nth(1).getAttribute('aria-label'))?.replace('Order ', '') ?? ''
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(name) })).toBeVisible()
})

test('a manager never sees another store’s rows, options, counts or exports', async ({ page }) => {
  await page.goto('/sales?size=100')
  await expect(page.getByRole('row', { name: /^Order / }).first()).toBeVisible()
  await expect(page.getByRole('cell', { name: 'BER-001' })).toHaveCount(0)
  await expect(page.getByText(/DEMO-BER-001/)).toHaveCount(0)
  // one store: no store filter to choose from
  await expect(page.getByRole('button', { name: 'Store' })).toHaveCount(0)

  await page.goto('/sales?store=BER-001')
  await expect(page.getByText('No sales match these filters')).toBeVisible()
  await page.goto('/sales?q=DEMO-BER-001')
  await expect(page.getByText('No sales match these filters')).toBeVisible()

  const all = await page.request.get('/sales/export')
  expect(all.status()).toBe(200)
  const csv = await all.text()
  expect(csv).toContain('NYC-001')
  expect(csv).not.toContain('BER-001')
  expect((await page.request.get('/sales/export?store=BER-001')).status()).toBe(404)

  await page.goto('/failures')
  await expect(page.getByText(/BER-001/)).toHaveCount(0)
  await page.goto('/batches')
  await expect(page.getByText(/BER-001/)).toHaveCount(0)
})
