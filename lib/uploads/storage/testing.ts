import { db, dbPool } from '@/lib/db'
import { uuidv7 } from '@/lib/db/uuid7'
import { writeUploadFile } from './files'
import { previewUpload } from './ingest'

// Test fixtures: an upload as the route would have received it, optionally already previewed.

/** a one-order template CSV for a store, dated yesterday so it is valid whenever the test runs */
export function oneOrderCsv(storeCode: string, orderId: string) {
  const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  return `order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity\n${orderId},${day} 10:00,${storeCode},purchase,SKU-1,Mug,12.50,1\n`
}

export async function makeUpload(opts: {
  store: { id: string; code: string; timeZone: string; latitude: string | null; longitude: string | null }
  uploaderId: string
  csv: string
  status?: 'RECEIVED' | 'PREVIEW' | 'COMMITTED'
}) {
  const id = uuidv7()
  const status = opts.status ?? 'PREVIEW'
  await db.upload.create({
    data: {
      id,
      fileName: 'fixture.csv',
      sizeBytes: BigInt(Buffer.byteLength(opts.csv)),
      sha256: '0'.repeat(64),
      uploaderId: opts.uploaderId,
      storeId: opts.store.id,
      status: status === 'COMMITTED' ? 'COMMITTED' : 'RECEIVED',
    },
  })
  const file =
    status === 'COMMITTED'
      ? { sizeBytes: Buffer.byteLength(opts.csv), sha256: '0'.repeat(64) }
      : await writeUploadFile(dbPool(), id, [Buffer.from(opts.csv)], 10_000_000)
  await db.upload.update({ where: { id }, data: { sha256: file.sha256 } })
  if (status === 'PREVIEW')
    await previewUpload({
      uploadId: id,
      sizeBytes: file.sizeBytes,
      sha256: file.sha256,
      storeId: opts.store.id,
      stores: [opts.store],
      defaultStoreCode: opts.store.code,
      settings: {},
    })
  return id
}
