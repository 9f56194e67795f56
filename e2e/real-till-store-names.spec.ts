import fs from 'node:fs'
import path from 'node:path'
import { expect, type Page, test } from '@playwright/test'
import { ADMIN, NYC, uniq } from './helpers'

// A store manager uploads a real Shopify POS orders export (Shopify admin → Orders → Export, "Plain CSV file":
// the columns of fixtures/shopify-pos-brooklyn.csv) whose Location column holds the till's own name for the
// shop, "Brooklyn Flagship", not our store code. They say once that it is their store NYC-001 and store the
// file; the next export of the same layout stores without a question.
test.use({ storageState: NYC.state })

const FIXTURE = fs.readFileSync(
  path.resolve(import.meta.dirname, 'fixtures/shopify-pos-brooklyn.csv'),
  'utf8',
)
const run = uniq()
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)

/** the fixture as the export of a given day, with this run's order numbers */
function exportOf(day: string, prefix: string) {
  const text = FIXTURE.replaceAll('2026-03-02', day).replaceAll('#B10', `#${prefix}-`)
  return { name: `orders_export_${prefix}.csv`, mimeType: 'text/csv', buffer: Buffer.from(text) }
}

async function uploadAndCheck(page: Page, file: ReturnType<typeof exportOf>) {
  await page.goto('/uploads')
  await page.getByLabel('Store').selectOption({ label: 'NYC-001 — New York — SoHo' })
  await page.getByLabel('Sales file').setInputFiles(file)
  await page.getByRole('button', { name: 'Upload file' }).click()
  await expect(page.getByRole('heading', { level: 1, name: file.name })).toBeVisible()
  // Shopify's export is recognised, its Location column taken as the store
  await expect(page.getByText('recognised: Shopify orders export')).toBeVisible()
  await page.getByRole('button', { name: 'Check rows' }).click()
  await expect(page.getByRole('heading', { name: 'Preview' })).toBeVisible()
}

test('a Shopify POS export names its store once, then stores without a question', async ({ page }) => {
  test.setTimeout(120_000)
  await uploadAndCheck(page, exportOf(daysAgo(2), `${run}A`))

  // the till's name for the shop is not a store code: the preview asks which store it is
  const ask = page.getByRole('heading', { name: 'Which store is this?' })
  await expect(ask).toBeVisible()
  await expect(page.getByText('‘Brooklyn Flagship’')).toBeVisible()
  await expect(page.getByTestId('count-Sales (events)')).toHaveText('0')
  await page.getByRole('button', { name: 'This is NYC-001' }).click()

  // remembered, and the rows checked again
  await expect(ask).toHaveCount(0)
  await expect(page.getByTestId('count-Sales (events)')).toHaveText('3')
  await expect(page.getByTestId('count-Valid')).toHaveText('3')
  await expect(page.getByText('"store_id": "NYC-001"').first()).toBeVisible()
  await page.getByRole('button', { name: 'Store 3 sales' }).click()
  await expect(page.getByRole('heading', { name: 'Stored' })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'No rows need attention' })).toBeVisible()
  // and it goes out with one click
  await page.getByRole('button', { name: 'Submit the 3 ready sales from this file' }).click()
  await expect(page.getByText(/Submitted 3 sales in 1 batch/).first()).toBeVisible()
  await expect(page.getByText('3 of 3 sales accepted by Constructor')).toBeVisible({ timeout: 60_000 })

  // the next day's export of the same layout: no question, straight to storing
  await uploadAndCheck(page, exportOf(daysAgo(1), `${run}B`))
  await expect(page.getByTestId('count-Valid')).toHaveText('3')
  await expect(page.getByRole('heading', { name: 'Which store is this?' })).toHaveCount(0)
  await page.getByRole('button', { name: 'Store 3 sales' }).click()
  await expect(page.getByRole('heading', { name: 'Stored' })).toBeVisible()
  await page.getByRole('button', { name: 'Submit the 3 ready sales from this file' }).click()
  await expect(page.getByText(/Submitted 3 sales in 1 batch/).first()).toBeVisible()
})

test.describe('an admin', () => {
  test.use({ storageState: ADMIN.state })

  test("sees the till's name on the store in Settings, and adds and removes names", async ({ page }) => {
    await page.goto('/settings/stores')
    await page.getByRole('button', { name: 'Till names (1) of NYC-001' }).click()
    const dialog = page.getByRole('dialog')
    await expect(dialog.getByRole('list', { name: 'Till names of NYC-001' })).toContainText(
      'Brooklyn Flagship',
    )
    // one name names one store, whatever its case and spacing
    await page.keyboard.press('Escape')
    await page.getByRole('button', { name: 'Till names (0) of BER-001' }).click()
    await dialog.getByLabel('Add a name').fill('  brooklyn   FLAGSHIP ')
    await dialog.getByRole('button', { name: 'Add', exact: true }).click()
    await expect(dialog.getByText(/already names store NYC-001/)).toBeVisible()
    await dialog.getByLabel('Add a name').fill(`KOELN-${run}`)
    await dialog.getByRole('button', { name: 'Add', exact: true }).click()
    await expect(dialog.getByRole('list', { name: 'Till names of BER-001' })).toContainText(`KOELN-${run}`)
    await dialog.getByRole('button', { name: `Remove the name KOELN-${run}` }).click()
    await expect(dialog.getByText('No names yet')).toBeVisible()
  })
})
