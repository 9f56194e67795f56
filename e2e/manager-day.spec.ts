import { expect, type Page, type TestInfo, test } from '@playwright/test'
import { NYC, uniq } from './helpers'

// A store manager's day: upload a file with problems → the inbox shows them grouped → fix one sale
// inline and one group at once → submit → Constructor (the sandbox) refuses a poisoned item → the sale
// shows the API's reason → correct it → resubmit → the batch turns SUCCEEDED live, without a reload.
// Every step leaves a screenshot in the test's attachments.
test.use({ storageState: NYC.state })
test.setTimeout(180_000)

const run = uniq()
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
const order = (n: number) => `MD-${run}-${n}`
const POISON = `POISON-${run}`
const csv = [
  'order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity',
  `${order(1)},${yesterday} 09:15,NYC-001,purchase,${POISON},Poisoned mug,5.00,1`,
  `${order(2)},${yesterday} 10:30,NYC-001,purchase,MUG-${run},Blue mug,,1`,
  `${order(3)},${yesterday} 11:45,NYC-001,purchase,MUG-${run},Blue mug,,2`,
  `${order(4)},${yesterday} 12:05,NYC-001,purchase,PLATE-${run},Plate,4.00,1.5`,
].join('\n')

async function shot(page: Page, info: TestInfo, name: string) {
  const path = info.outputPath(`${name}.png`)
  await page.screenshot({ path, fullPage: true })
  await info.attach(name, { path, contentType: 'image/png' })
}

async function setFaults(faults: Record<string, unknown>) {
  const port = process.env.E2E_SANDBOX_PORT ?? '4110'
  const res = await fetch(`http://127.0.0.1:${port}/_sandbox/faults`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-sandbox-control-token': process.env.E2E_SANDBOX_CONTROL_TOKEN ?? '',
    },
    body: JSON.stringify(faults),
  })
  expect(res.status, await res.text()).toBe(200)
}

async function openSale(page: Page, orderId: string) {
  await page.goto(`/sales?q=${encodeURIComponent(orderId)}`)
  await page.getByRole('link', { name: orderId, exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(orderId) })).toBeVisible()
}

test('a store manager’s day, from a file with problems to a batch that succeeds', async ({ page }, info) => {
  // 1. upload the till's export
  await page.goto('/uploads')
  await page.getByLabel('Store').selectOption({ label: 'NYC-001 — New York — SoHo' })
  await page
    .getByLabel('Sales file')
    .setInputFiles({ name: `till-${run}.csv`, mimeType: 'text/csv', buffer: Buffer.from(`${csv}\n`) })
  await page.getByRole('button', { name: 'Upload file' }).click()
  await expect(page).toHaveURL(/\/uploads\/[0-9a-f-]{36}$/)
  await page.getByRole('button', { name: 'Check rows' }).click()
  await expect(page.getByRole('heading', { name: 'Preview' })).toBeVisible()
  await page.getByRole('button', { name: 'Store 4 sales' }).click()
  await expect(page.getByRole('heading', { name: 'Stored' })).toBeVisible()
  await shot(page, info, '1-uploaded')

  // 2. the inbox groups the problems by reason
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Needs attention' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Needs attention' })).toBeVisible()
  const priceGroup = page.getByRole('region', { name: /^Price missing: \d+ events?$/ })
  await expect(priceGroup).toBeVisible()
  const quantityGroup = page.getByRole('region', { name: /^Quantity not a whole number or out of range/ })
  await expect(quantityGroup).toBeVisible()
  await shot(page, info, '2-inbox-grouped')

  // 3. fix one sale inline: the quantity (1.5 could not be stored as a count), checked as it is typed
  await quantityGroup.getByRole('link', { name: /View/ }).click()
  await expect(page).toHaveURL(/reason=quantity-invalid/)
  await page.getByRole('link', { name: order(4), exact: true }).click()
  const quantity = page.getByLabel('Item 1 quantity')
  await expect(quantity).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByText('Quantity is missing — enter how many were sold')).toBeVisible()
  await quantity.fill('1.5')
  await expect(page.getByText('Quantity 1.5 is not a whole number')).toBeVisible()
  await quantity.fill('2')
  await expect(quantity).not.toHaveAttribute('aria-invalid', 'true')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByText('Saved. The sale is ready to submit.')).toBeVisible()
  await expect(page.getByText('Version 2')).toBeVisible()
  await shot(page, info, '3-fixed-inline')

  // 4. fix a whole group at once: one price for the item, every sale listing it is fixed
  await page.goto('/failures')
  const before = Number(
    /(\d+) events?/.exec((await priceGroup.getByRole('heading').textContent()) ?? '')?.[1],
  )
  await priceGroup.getByRole('button', { name: /^Fix \d+ sales?$/ }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel(new RegExp(`MUG-${run}`)).fill('12.50')
  await dialog.getByRole('button', { name: 'Apply to all' }).click()
  await expect(page.getByText(/Fixed \d+ sales?: \d+ ready to submit/)).toBeVisible()
  // the demo's own price-less sales stay in the group; this file's two left it
  const after = before - 2
  await expect(
    after > 0
      ? page.getByRole('region', { name: `Price missing: ${after} event${after === 1 ? '' : 's'}` })
      : priceGroup,
  ).toHaveCount(after > 0 ? 1 : 0)
  await shot(page, info, '4-fixed-group')

  // 5. submit today's sales; Constructor will refuse the poisoned item
  await setFaults({ poison: [POISON] })
  await page.goto(`/sales?q=MD-${run}`)
  await expect(page.getByRole('row', { name: /Order MD-/ })).toHaveCount(4)
  await page.getByRole('checkbox', { name: 'Select all sales on this page' }).check()
  await expect(page.getByRole('region', { name: 'Bulk actions' })).toContainText('4 sales selected')
  await shot(page, info, '5-selected')
  await page
    .getByRole('region', { name: 'Bulk actions' })
    .getByRole('button', { name: 'Submit', exact: true })
    .click()
  await expect(page.getByText(/Submitted 4 sales in 1 batch/)).toBeVisible()

  // 6. the batch hits the poison value: the sale shows the API's reason
  await openSale(page, order(1))
  await expect(page.getByText('Constructor refused this sale:')).toBeVisible({ timeout: 60_000 })
  await expect(page.getByRole('alert').filter({ hasText: 'Constructor refused this sale' })).toContainText(
    /poison/i,
  )
  await shot(page, info, '6-refused-with-reason')
  const others = await page.request.get(`/sales/export?q=MD-${run}&status=SUBMITTED`)
  expect(
    (await others.text()).split('\r\n').filter((l) => l.startsWith('MD-')).length,
  ).toBeGreaterThanOrEqual(3)

  // 7. correct it (another item id) and resubmit
  // no more poison; answers take a few seconds, so the batch is seen in flight before it succeeds
  await setFaults({ poison: [], latency: { fixedMs: 4000 } })
  await page.getByLabel('Item 1 id (SKU)').fill(`MUG-${run}`)
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByText('Saved. The sale is ready to submit.')).toBeVisible()
  await page.getByRole('button', { name: 'Submit', exact: true }).click()
  await expect(page.getByText('Submitted: a batch is on its way.')).toBeVisible()
  await shot(page, info, '7-corrected-and-resubmitted')

  // 8. the new batch turns SUCCEEDED while the page stays open (no reload)
  await page.goto('/batches')
  await page.getByRole('row').nth(1).getByRole('link').first().click()
  await expect(page.getByRole('heading', { level: 1, name: /^Batch/ })).toBeVisible()
  await page.evaluate(() => {
    ;(window as unknown as { __sameDocument: boolean }).__sameDocument = true
  })
  await expect(page.getByTestId('batch-status').first()).not.toHaveText('Succeeded')
  await expect(page.getByText('Updating live')).toBeVisible()
  await expect(page.getByTestId('batch-status').first()).toHaveText('Succeeded', { timeout: 60_000 })
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(
    true,
  )
  await expect(page.getByRole('link', { name: order(1) })).toBeVisible()
  await shot(page, info, '8-batch-succeeded-live')
})

test.afterAll(async () => {
  await setFaults({ reset: true })
})
