import { getCaller } from '@/lib/auth/caller'
import { clientAddress } from '@/lib/auth/client-address'
import { logger } from '@/lib/log'
import { receiveUpload } from '@/lib/uploads/storage/receive'

export const dynamic = 'force-dynamic'

// POST the raw file as the body (?storeId=&name=): streamed to disk with its sha256 and the size limit
// enforced mid-stream; a route handler because a server action would hold the whole body in memory.
export async function POST(req: Request) {
  const url = new URL(req.url)
  const origin = req.headers.get('origin')
  // a cross-site page may not upload in a manager's name (server actions get the same check from Next)
  if (origin !== null && origin !== url.origin && origin !== `${url.protocol}//${req.headers.get('host')}`)
    return Response.json({ error: 'This request came from another site and was refused.' }, { status: 403 })
  try {
    const length = req.headers.get('content-length')
    const outcome = await receiveUpload({
      caller: await getCaller(),
      storeId: url.searchParams.get('storeId'),
      fileName: url.searchParams.get('name'),
      contentLength: length === null ? null : Number(length),
      body: req.body,
      ip: clientAddress(req.headers),
    })
    if (!outcome.ok) return Response.json({ error: outcome.error }, { status: outcome.status })
    return Response.json({ uploadId: outcome.uploadId, sameFileAs: outcome.sameFileAs }, { status: 201 })
  } catch (error) {
    logger.error({ err: error }, 'upload failed')
    return Response.json(
      {
        error:
          'The upload failed and nothing was kept. Try again; if it keeps failing, tell your administrator.',
      },
      { status: 500 },
    )
  }
}
