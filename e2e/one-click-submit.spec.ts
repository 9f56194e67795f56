import { expect, type Page, test } from '@playwright/test'
import { NYC, uniq } from './helpers'

// Submitting is one click: a store manager stores the day's file and sends its 130 ready sales with one button,
// watching the batches go out; then, in the Sales table, selects all the sales matching a search (more than one
// page) and submits them without ticking page after page.
test.use({ storageState: NYC.state })
test.setTimeout(240_000)

const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
const time = (i: number) =>
  `${String(8 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`

function dayFile(tag: string, orders: number, badOrders = 0) {
  const lines = ['order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity']
  for (let i = 0; i < orders; i++)
    lines.push(`${tag}-${i + 1},${yesterday} ${time(i)},NYC-001,purchase,SKU-${i % 7},Mug,12.50,1`)
  // a price nobody can read: stored as needing attention, never submitted
  for (let i = 0; i < badOrders; i++)
    lines.push(`${tag}-X${i + 1},${yesterday} ${time(i)},NYC-001,purchase,SKU-1,Mug,abc,1`)
  return {
    name: `${tag.toLowerCase()}.csv`,
    mimeType: 'text/csv',
    buffer: Buffer.from(`${lines.join('\n')}\n`),
  }
}

async function storeFile(page: Page, file: ReturnType<typeof dayFile>, events: number) {
  await page.goto('/uploads')
  await page.getByLabel('Store').selectOption({ label: 'NYC-001 — New York — SoHo' })
  await page.getByLabel('Sales file').setInputFiles(file)
  await page.getByRole('button', { name: 'Upload file' }).click()
  await expect(page).toHaveURL(/\/uploads\/[0-9a-f-]{36}$/)
  await page.getByRole('button', { name: 'Check rows' }).click()
  await page.getByRole('button', { name: `Store ${events} sales` }).click()
  await expect(page.getByRole('heading', { name: 'Stored' })).toBeVisible()
}

test('a stored file goes out with one click, and the batches show on its page', async ({ page }) => {
  const tag = `OC-${uniq()}`
  await storeFile(page, dayFile(tag, 130, 2), 132)

  await expect(page.getByText('the 2 sales that need fixing stay here until you fix them')).toBeVisible()
  const submit = page.getByRole('button', { name: 'Submit the 130 ready sales from this file' })
  await submit.click()
  await expect(page.getByText('Submitted 130 sales in 2 batches. They are sent to Constructor')).toBeVisible()
  // nothing is left to submit from this file; its two batches are listed and go out by themselves
  await expect(page.getByRole('button', { name: /ready sales? from this file/ })).toHaveCount(0)
  const batches = page.getByRole('list', { name: 'Batches with sales from this file' }).getByRole('listitem')
  await expect(batches).toHaveCount(2)
  await expect(page.getByText('130 of 130 sales accepted by Constructor')).toBeVisible({ timeout: 60_000 })
  await expect(batches.getByTestId('batch-status')).toHaveText(['Succeeded', 'Succeeded'])
  await expect(page.getByText('Every ready sale from this file has been submitted.')).toBeVisible()
  await batches.first().getByRole('link').click()
  await expect(page).toHaveURL(/\/batches\/[0-9a-f-]{36}$/)
})

test('"Select all N matching this filter" submits every matching sale, not just the page', async ({
  page,
}) => {
  const tag = `SA-${uniq()}`
  await storeFile(page, dayFile(tag, 60), 60)

  await page.goto(`/sales?q=${tag}&size=25`)
  await expect(page.getByRole('row').filter({ hasText: tag })).toHaveCount(25)
  await page.getByRole('checkbox', { name: 'Select all sales on this page' }).check()
  await expect(page.getByText('All 25 sales on this page are selected.')).toBeVisible()
  await page.getByRole('button', { name: 'Select all 60 sales matching this filter' }).click()
  await expect(page.getByText('All 60 sales matching this filter are selected.')).toBeVisible()

  const bar = page.getByRole('region', { name: 'Bulk actions' })
  await expect(bar).toContainText('60 sales (all matching this filter) selected')
  await bar.getByRole('button', { name: 'Submit all 60' }).click()
  const dialog = page.getByRole('dialog', { name: 'Submit all 60 sales matching this filter?' })
  await expect(dialog).toContainText('60 sales are ready and go to Constructor in batches of up to 100.')
  await dialog.getByRole('button', { name: 'Submit 60 sales' }).click()
  await expect(page.getByText('Submitted 60 sales in 1 batch.')).toBeVisible()

  // every one of them left READY, not only the page that was shown
  await page.goto(`/sales?q=${tag}&status=READY`)
  await expect(page.getByText('No sales match these filters')).toBeVisible()
})
