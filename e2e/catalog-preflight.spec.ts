import { expect, type Page, type TestInfo, test } from '@playwright/test'
import { NYC, uniq } from './helpers'

// Catalog pre-flight: till SKUs that Constructor's catalog does not know show in the upload's preview. The manager
// maps one to the catalog's id right there (its sale is stored and sent with the catalog's id); the other's sale is
// held when submitted, mapped once in Needs attention, and then goes out carrying the catalog's id too (as the
// sandbox received them).
test.use({ storageState: NYC.state })
test.setTimeout(180_000)

const run = uniq()
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
const TILL_SKU = `TILL-${run}`
const CATALOG_ID = `CAT-${run}`
const PREVIEW_SKU = `TILLP-${run}`
const PREVIEW_CATALOG_ID = `CATP-${run}`
const order = (n: number) => `CP-${run}-${n}`
const csv = [
  'order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity',
  `${order(1)},${yesterday} 09:15,NYC-001,purchase,${TILL_SKU},Linen towel,6.00,1`,
  `${order(2)},${yesterday} 10:30,NYC-001,purchase,SKU-TEE-BLK,Classic tee,19.99,1`,
  `${order(3)},${yesterday} 11:45,NYC-001,purchase,${PREVIEW_SKU},Linen napkin,3.00,2`,
].join('\n')

const sandboxUrl = `http://127.0.0.1:${process.env.E2E_SANDBOX_PORT ?? '4110'}`
const control = { 'x-sandbox-control-token': process.env.E2E_SANDBOX_CONTROL_TOKEN ?? '' }

async function shot(page: Page, info: TestInfo, name: string) {
  const path = info.outputPath(`${name}.png`)
  await page.screenshot({ path, fullPage: true })
  await info.attach(name, { path, contentType: 'image/png' })
}

async function received(orderId: string) {
  const res = await fetch(`${sandboxUrl}/_sandbox/received?order_id=${encodeURIComponent(orderId)}`, {
    headers: control,
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { records: { action: { data: { items: { item_id: string }[] } } }[] }).records
}

test.beforeAll(async () => {
  // the e2e sandbox's catalog knows every id but the ones named missing: this run's till SKU is one of them
  const res = await fetch(`${sandboxUrl}/_sandbox/catalog`, {
    method: 'POST',
    headers: { ...control, 'content-type': 'application/json' },
    body: JSON.stringify({ missing: [TILL_SKU, PREVIEW_SKU] }),
  })
  expect(res.status, await res.text()).toBe(200)
})

test('a till SKU missing from the catalog is shown, held, mapped once and sent as the catalog id', async ({
  page,
}, info) => {
  // 1. the preview already says which item the catalog does not know
  await page.goto('/uploads')
  await page.getByLabel('Store').selectOption({ label: 'NYC-001 — New York — SoHo' })
  await page
    .getByLabel('Sales file')
    .setInputFiles({ name: `catalog-${run}.csv`, mimeType: 'text/csv', buffer: Buffer.from(`${csv}\n`) })
  await page.getByRole('button', { name: 'Upload file' }).click()
  await expect(page).toHaveURL(/\/uploads\/[0-9a-f-]{36}$/)
  await page.getByRole('button', { name: 'Check rows' }).click()
  await expect(page.getByRole('heading', { name: 'Preview' })).toBeVisible()
  const unknown = page.getByRole('table', { name: 'Items not in your Constructor catalog' })
  await expect(unknown).toBeVisible()
  await expect(unknown.getByRole('row', { name: new RegExp(TILL_SKU) })).toContainText(
    `Item ${TILL_SKU} is not in your Constructor catalog`,
  )
  await expect(unknown.getByRole('row')).toHaveCount(3)
  await shot(page, info, '1-preview-unknown-skus')

  // 2. map one SKU right in the preview: the rows are checked again and it is stored as the catalog's id
  await unknown.getByLabel(`Catalog item id for ${PREVIEW_SKU}`).fill(PREVIEW_CATALOG_ID)
  await unknown
    .getByRole('row', { name: new RegExp(PREVIEW_SKU) })
    .getByRole('button', { name: 'Map' })
    .click()
  await expect(page.getByText(`${PREVIEW_SKU} → ${PREVIEW_CATALOG_ID}`)).toBeVisible({ timeout: 30_000 })
  await expect(unknown.getByRole('row')).toHaveCount(2)
  await shot(page, info, '2-mapped-in-preview')

  // 3. store and submit: the known and the mapped items go out, the unknown one is held
  await page.getByRole('button', { name: 'Store 3 sales' }).click()
  await expect(page.getByRole('heading', { name: 'Stored' })).toBeVisible()
  await page.getByRole('button', { name: 'Submit the 3 ready sales from this file' }).click()
  await expect(
    page.getByText(/1 sale was held: its items are not in your Constructor catalog/).first(),
  ).toBeVisible()
  await shot(page, info, '3-submitted-one-held')
  await expect
    .poll(async () => (await received(order(3))).flatMap((r) => r.action.data.items.map((i) => i.item_id)), {
      timeout: 60_000,
    })
    .toEqual([PREVIEW_CATALOG_ID])

  // 4. Needs attention groups the held sale by its item id; map the SKU to the catalog's id
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Needs attention' }).click()
  const group = page.getByRole('region', {
    name: `Item ${TILL_SKU} is not in your Constructor catalog: 1 event`,
  })
  await expect(group).toBeVisible()
  await expect(group).toContainText('Held')
  await group.getByRole('button', { name: 'Fix 1 sale' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel(`Catalog item id for ${TILL_SKU}`).fill(CATALOG_ID)
  await shot(page, info, '4-map-sku')
  await dialog.getByRole('button', { name: 'Apply to all' }).click()
  await expect(page.getByText('Fixed 1 sale: 1 ready to submit.')).toBeVisible()
  await expect(group).toHaveCount(0)

  // 5. submit what was fixed: the sale leaves with the catalog's id
  await page.getByRole('button', { name: /^Submit all fixed/ }).click()
  await expect(page.getByText(/Submitted \d+ sales? you fixed/)).toBeVisible()
  await expect
    .poll(async () => (await received(order(1))).flatMap((r) => r.action.data.items.map((i) => i.item_id)), {
      timeout: 60_000,
    })
    .toEqual([CATALOG_ID])
  expect((await received(order(2))).length).toBe(1)
  await shot(page, info, '5-sent-with-catalog-id')
})

test.afterAll(async () => {
  await fetch(`${sandboxUrl}/_sandbox/catalog`, {
    method: 'POST',
    headers: { ...control, 'content-type': 'application/json' },
    body: JSON.stringify({ missing: [] }),
  })
})
