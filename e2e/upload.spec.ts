import { expect, test } from '@playwright/test'
import { NYC, uniq } from './helpers'

// A store manager uploads the day's export with some bad rows, checks the preview and its reasons,
// stores it, and finds the rows that need attention listed; the same file again changes nothing.
test.use({ storageState: NYC.state })

const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
const run = uniq()
const csv = [
  'order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity',
  `E2E-${run}-1,${yesterday} 10:00,NYC-001,purchase,SKU-1,Mug,12.50,2`,
  `E2E-${run}-1,${yesterday} 10:00,NYC-001,purchase,SKU-2,Plate,4.00,1`,
  `E2E-${run}-2,${yesterday} 11:00,NYC-001,purchase,SKU-3,Bowl,abc,1`,
  `E2E-${run}-3,${yesterday} 12:00,NYC-001,return,SKU-1,Mug,12.50,1`,
  `E2E-${run}-4,${yesterday} 13:00,ZZZ-999,purchase,SKU-1,Mug,1.00,1`,
].join('\n')
const file = { name: `till-${run}.csv`, mimeType: 'text/csv', buffer: Buffer.from(`${csv}\n`) }

async function uploadFile(page: import('@playwright/test').Page) {
  await page.goto('/uploads')
  await expect(page.getByText('Files up to 250 MB')).toBeVisible()
  await page.getByLabel('Store').selectOption({ label: 'NYC-001 — New York — SoHo' })
  await page.getByLabel('Sales file').setInputFiles(file)
  await page.getByRole('button', { name: 'Upload file' }).click()
  await expect(page).toHaveURL(/\/uploads\/[0-9a-f-]{36}$/)
  await expect(page.getByRole('heading', { level: 1, name: file.name })).toBeVisible()
}

test.describe
  .serial('uploading a sales file', () => {
    test('preview, reasons, commit, and the invalid rows listed afterwards', async ({ page }) => {
      await uploadFile(page)
      // the columns were recognised from the template's names
      await expect(page.getByLabel('Unit price *')).toHaveValue('6')
      await page.getByRole('button', { name: 'Check rows' }).click()

      await expect(page.getByRole('heading', { name: 'Preview' })).toBeVisible()
      await expect(page.getByTestId('count-Rows')).toHaveText('5')
      await expect(page.getByTestId('count-Sales (events)')).toHaveText('3')
      await expect(page.getByTestId('count-Valid')).toHaveText('2')
      await expect(page.getByTestId('count-Invalid')).toHaveText('1')
      await expect(page.getByTestId('count-Returns')).toHaveText('1')
      await expect(page.getByTestId('count-Rows with problems')).toHaveText('2')
      await expect(page.getByTestId('count-Duplicates (unchanged, skipped)')).toHaveText('0')

      const problems = page.getByRole('table', { name: 'Problems found in the file' })
      const priceRow = problems.getByRole('row').filter({ hasText: `E2E-${run}-2` })
      await expect(priceRow).toContainText('4')
      await expect(priceRow).toContainText('Price (item 1)')
      await expect(priceRow).toContainText("'abc' is not an amount")
      const storeRow = problems.getByRole('row').filter({ hasText: 'ZZZ-999' })
      await expect(storeRow.getByRole('cell').first()).toHaveText('6')
      await expect(storeRow).toContainText("Store 'ZZZ-999' is not one of your stores")

      // the first event exactly as it will be sent
      await expect(page.getByText(`"order_id": "E2E-${run}-1"`)).toBeVisible()
      await expect(page.getByText('"store_id": "NYC-001"').first()).toBeVisible()

      // nothing is stored before the commit
      await page.goto('/sales')
      await expect(page.getByText(`E2E-${run}-1`)).toHaveCount(0)
      await page.goBack()

      await page.getByRole('button', { name: 'Store 3 sales' }).click()
      await expect(page.getByRole('heading', { name: 'Stored' })).toBeVisible()
      const attention = page.getByRole('table', { name: 'Rows that need attention' })
      await expect(attention.getByRole('row').filter({ hasText: `E2E-${run}-2` })).toContainText(
        "'abc' is not an amount",
      )
      await expect(attention.getByRole('row').filter({ hasText: 'ZZZ-999' })).toContainText('6')

      await page.getByRole('link', { name: 'All uploads' }).click()
      const listed = page.getByRole('row').filter({ hasText: file.name })
      await expect(listed).toContainText('Stored')
      await expect(listed).toContainText('NYC-001')
    })

    test('the same file again is recognised and storing it changes nothing', async ({ page }) => {
      await uploadFile(page)
      await page.getByRole('button', { name: 'Check rows' }).click()
      await expect(page.getByText('This exact file was already stored')).toBeVisible()
      await expect(page.getByTestId('count-Duplicates (unchanged, skipped)')).toHaveText('3')
      await page.getByRole('button', { name: 'Mark as already stored' }).click()
      await expect(page.getByText('This file had already been stored: nothing changed.')).toBeVisible()
    })
  })
