import { expect, test } from '@playwright/test'
import { NYC, uniq } from './helpers'

// What a manager saw at 1,400 px wide (issue 16, point 8): the batch page's "Sales in this batch" card ran past the
// page's right edge, and the sale editor's item id box was too narrow to read the id being fixed.
test.use({ storageState: NYC.state, viewport: { width: 1400, height: 900 } })
test.setTimeout(120_000)

test('a batch page and the sale editor fit 1,400 px, and a long item id reads whole', async ({ page }) => {
  const tag = `LY-${uniq()}`
  const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  // a long SKU as tills write them (48 characters)
  const longId = `SKU-CERAMIC-MUG-SAGE-LARGE-STONEWARE-${tag}`
  const lines = ['order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity']
  for (let i = 1; i <= 3; i++)
    lines.push(
      `${tag}-${i}-ORDER-WITH-A-LONG-NUMBER,${day} 10:0${i},NYC-001,purchase,${longId},Ceramic mug,12.50,1`,
    )
  await page.goto('/uploads')
  await page.getByLabel('Store').selectOption({ label: 'NYC-001 — New York — SoHo' })
  await page.getByLabel('Sales file').setInputFiles({
    name: `${tag}.csv`,
    mimeType: 'text/csv',
    buffer: Buffer.from(`${lines.join('\n')}\n`),
  })
  await page.getByRole('button', { name: 'Upload file' }).click()
  await page.getByRole('button', { name: 'Check rows' }).click()
  await page.getByRole('button', { name: 'Store 3 sales' }).click()
  await page.getByRole('button', { name: 'Submit the 3 ready sales from this file' }).click()
  const batch = page
    .getByRole('list', { name: 'Batches with sales from this file' })
    .getByRole('link')
    .first()
  await batch.click()
  await expect(page).toHaveURL(/\/batches\/[0-9a-f-]{36}$/)

  const card = page
    .locator('section')
    .filter({ has: page.getByRole('heading', { name: 'Sales in this batch', exact: true }) })
  await expect(card).toBeVisible()
  const box = await card.boundingBox()
  expect(box).not.toBeNull()
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(1400)
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1400)

  await page.goto(`/sales?q=${tag}-1-`)
  await page.getByRole('link', { name: `${tag}-1-ORDER-WITH-A-LONG-NUMBER`, exact: true }).click()
  const itemId = page.getByLabel('Item 1 id (SKU)')
  await expect(itemId).toHaveValue(longId)
  // the whole id shows in its box: nothing scrolled out of sight
  const fits = await itemId.evaluate(
    (el) => (el as HTMLInputElement).scrollWidth <= (el as HTMLInputElement).clientWidth,
  )
  expect(fits).toBe(true)
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1400)
})
