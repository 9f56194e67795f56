import { authorizedRoute, routeError } from '@/lib/auth/route'
import { previewUploadSchema } from '@/lib/uploads/schema'
import { queuePreview } from '@/lib/uploads/storage/preview-run'

export const dynamic = 'force-dynamic'

// POST { mapping?, dateOrder?, decimalSeparator? }: queues the check of the whole stored file (a worker runs it) and
// answers 202 at once; GET ../progress tells how far it is.
export const POST = authorizedRoute({
  name: 'uploads.preview',
  access: 'signed-in',
  sameOrigin: true,
  handler: async (req, caller, ctx) => {
    // the id from the path itself, so the handler works the same however it is called
    const uploadId = new URL(req.url).pathname.split('/').at(-2) ?? ''
    const parsed = previewUploadSchema.safeParse(await req.json().catch(() => ({})))
    if (!parsed.success) return routeError(400, 'The column choices could not be read.')
    const queued = await queuePreview(caller, uploadId, parsed.data, ctx.ip)
    if (!queued.ok) return routeError(queued.status, queued.error)
    return Response.json({ uploadId: queued.uploadId, status: 'PARSING' }, { status: 202 })
  },
})
