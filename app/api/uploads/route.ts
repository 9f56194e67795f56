import { authorizedRoute, routeError } from '@/lib/auth/route'
import { receiveUpload } from '@/lib/uploads/storage/receive'

export const dynamic = 'force-dynamic'

// POST the raw file as the body (?storeId=&name=): streamed to disk with its sha256 and the size limit
// enforced mid-stream; a route handler because a server action would hold the whole body in memory.
export const POST = authorizedRoute({
  name: 'uploads.receive',
  access: 'signed-in',
  // a cross-site page may not upload in a manager's name (server actions get the same check from Next)
  sameOrigin: true,
  unexpected:
    'The upload failed and nothing was kept. Try again; if it keeps failing, tell your administrator.',
  handler: async (req, caller, ctx) => {
    const url = new URL(req.url)
    const length = req.headers.get('content-length')
    const outcome = await receiveUpload({
      caller,
      storeId: url.searchParams.get('storeId'),
      fileName: url.searchParams.get('name'),
      contentLength: length === null ? null : Number(length),
      body: req.body,
      ip: ctx.ip,
    })
    if (!outcome.ok) return routeError(outcome.status, outcome.error)
    return Response.json({ uploadId: outcome.uploadId, sameFileAs: outcome.sameFileAs }, { status: 201 })
  },
})
