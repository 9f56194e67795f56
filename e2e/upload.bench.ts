import fs from 'node:fs'
import { expect, test } from '@playwright/test'
import { NYC, uniq } from './helpers'

// Timing, not a regular test: 100,000 line items (25,000 orders) through the real page, from choosing
// the file to "Stored". `npm run bench:upload`; the figure goes to test-results/upload-bench.json.
test.use({ storageState: NYC.state })

test('100,000 line items through the browser upload, end to end', async ({ page }) => {
  test.setTimeout(180_000)
  const run = uniq()
  const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10)
  const lines = ['order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity']
  for (let o = 0; o < 25_000; o++) {
    const minute = String(o % 60).padStart(2, '0')
    const hour = String(8 + (o % 12)).padStart(2, '0')
    for (let i = 0; i < 4; i++)
      lines.push(
        `B-${run}-${o},${day} ${hour}:${minute},NYC-001,purchase,SKU-${(o + i) % 997}-${i},Item ${i},${1 + (o % 50)}.99,${1 + i}`,
      )
  }
  const buffer = Buffer.from(`${lines.join('\n')}\n`)

  await page.goto('/uploads')
  await page.getByLabel('Store').selectOption({ label: 'NYC-001 — New York — SoHo' })
  await page
    .getByLabel('Sales file')
    .setInputFiles({ name: `bench-${run}.csv`, mimeType: 'text/csv', buffer })
  const t0 = Date.now()
  await page.getByRole('button', { name: 'Upload file' }).click()
  await page.getByRole('button', { name: 'Check rows' }).click({ timeout: 60_000 })
  const t1 = Date.now()
  await page.getByRole('button', { name: 'Store 25,000 sales' }).click({ timeout: 120_000 })
  const t2 = Date.now()
  await expect(page.getByRole('heading', { name: 'Stored' })).toBeVisible({ timeout: 120_000 })
  const t3 = Date.now()
  const figures = {
    lineItems: 100_000,
    orders: 25_000,
    bytes: buffer.length,
    uploadSeconds: (t1 - t0) / 1000,
    previewSeconds: (t2 - t1) / 1000,
    commitSeconds: (t3 - t2) / 1000,
    totalSeconds: (t3 - t0) / 1000,
  }
  fs.mkdirSync('test-results', { recursive: true })
  fs.writeFileSync('test-results/upload-bench.json', `${JSON.stringify(figures, null, 2)}\n`)
  console.log(`100k-line browser upload: ${JSON.stringify(figures)}`)
  expect(figures.totalSeconds).toBeLessThan(30)
})
