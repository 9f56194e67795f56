import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import Papa from 'papaparse'
import { NYC, uniq } from './helpers'

// Shopify's orders export says only how much of an order was refunded, not which items came back. The store
// manager opens that return, picks the returned mug from the purchase it belongs to, and sends it: it goes out as
// a proper return with its returned items.
test.use({ storageState: NYC.state })
test.setTimeout(120_000)

const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)

/** the Brooklyn export of yesterday, its first order partly refunded (one 12.50 mug of two) */
function partlyRefundedExport(prefix: string) {
  const text = fs
    .readFileSync(path.resolve(import.meta.dirname, 'fixtures/shopify-pos-brooklyn.csv'), 'utf8')
    .replaceAll('2026-03-02', yesterday)
    .replaceAll('#B10', `#${prefix}-`)
  const { data } = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true })
  const first = data[0] as Record<string, string>
  first['Financial Status'] = 'partially_refunded'
  first['Refunded Amount'] = '12.50'
  return {
    name: `orders_export_${prefix}.csv`,
    mimeType: 'text/csv',
    buffer: Buffer.from(Papa.unparse(data)),
  }
}

test('a refund without lines is completed from its purchase and sent as a return', async ({ page }) => {
  const prefix = `RF${uniq()}`
  const orderId = `#${prefix}-01`
  await page.goto('/uploads')
  await page.getByLabel('Store').selectOption({ label: 'NYC-001 — New York — SoHo' })
  await page.getByLabel('Sales file').setInputFiles(partlyRefundedExport(prefix))
  await page.getByRole('button', { name: 'Upload file' }).click()
  await page.getByRole('button', { name: 'Check rows' }).click()
  await expect(page.getByRole('heading', { name: 'Preview' })).toBeVisible()
  // the till's name for the shop is asked once per installation (another spec may have answered it already)
  const ask = page.getByRole('button', { name: 'This is NYC-001' })
  const valid = page.getByTestId('count-Valid')
  await expect(ask.or(valid.filter({ hasText: /^3$/ }))).toBeVisible()
  if (await ask.isVisible()) await ask.click()
  // three purchases are valid; the return waits for its items
  await expect(valid).toHaveText('3')
  await expect(page.getByTestId('count-Invalid')).toHaveText('1')
  await page.getByRole('button', { name: 'Store 4 sales' }).click()
  await expect(page.getByRole('heading', { name: 'Stored' })).toBeVisible({ timeout: 30_000 })

  // the return needs its items: the Sales table lists it, the sale page shows it with its purchase
  await page.goto(`/sales?q=${encodeURIComponent(prefix)}&kind=RETURN`)
  await page.getByRole('link', { name: orderId, exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: `Return ${orderId}` })).toBeVisible()
  await expect(page.getByText(`Purchase and returns of order ${orderId}`)).toBeVisible()
  const form = page.getByRole('form', { name: 'Which items came back?' })
  await expect(form).toContainText('$12.50 was refunded')

  // more than was bought is refused before anything is sent
  await form.getByLabel('Returned quantity of MUG-BLUE-L').fill('3')
  await form.getByRole('button', { name: 'Add the returned items' }).click()
  await expect(form.getByRole('alert')).toContainText('At most 2 of MUG-BLUE-L can come back')

  await form.getByLabel('Returned quantity of MUG-BLUE-L').fill('1')
  await form.getByRole('button', { name: 'Add the returned items' }).click()
  await expect(page.getByText('Returned items added: the return is ready to send.')).toBeVisible()
  await expect(page.getByRole('form', { name: 'Which items came back?' })).toHaveCount(0)
  const balance = page.getByRole('table', { name: 'Items bought and returned' })
  await expect(balance.getByRole('row', { name: /MUG-BLUE-L/ })).toContainText('21')
  await expect(page.getByRole('list', { name: 'History of this sale' })).toContainText(
    'Returned items taken from the purchase',
  )

  await page.getByRole('button', { name: 'Submit', exact: true }).click()
  await expect(page.getByText('Submitted: a batch is on its way.')).toBeVisible()
  await expect(async () => {
    await page.reload()
    await expect(page.getByText('Submitted', { exact: true }).first()).toBeVisible({ timeout: 1_000 })
  }).toPass({ timeout: 60_000 })
})
