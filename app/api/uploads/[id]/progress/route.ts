import { authorizedRoute, routeError } from '@/lib/auth/route'
import { getUploadProgress } from '@/lib/uploads/queries'

export const dynamic = 'force-dynamic'

// GET: where the upload's check or storing is (the page polls it while a job waits or runs): status, bytes and rows
// read, events, how many uploads are ahead in its lane, and the message of a failure.
export const GET = authorizedRoute({
  name: 'uploads.progress',
  access: 'signed-in',
  handler: async (req, caller) => {
    const uploadId = new URL(req.url).pathname.split('/').at(-2) ?? ''
    const progress = await getUploadProgress(caller, uploadId)
    if (!progress) return routeError(404, 'That upload does not exist or is not in one of your stores.')
    return Response.json(progress, { headers: { 'cache-control': 'no-store' } })
  },
})
