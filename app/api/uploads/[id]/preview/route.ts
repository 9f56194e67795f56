import { authorizedRoute, routeError } from '@/lib/auth/route'
import { logger } from '@/lib/log'
import { isUploadFileError } from '@/lib/uploads/errors'
import { previewUploadSchema } from '@/lib/uploads/schema'
import { previewErrorMessage, startPreview } from '@/lib/uploads/storage/preview-run'

export const dynamic = 'force-dynamic'

// POST { mapping?, dateOrder?, decimalSeparator? }: reads the whole stored file and answers with NDJSON,
// one {type:'progress'} line as parsing advances, then {type:'done'} or {type:'error', message}.
export const POST = authorizedRoute({
  name: 'uploads.preview',
  access: 'signed-in',
  sameOrigin: true,
  handler: async (req, caller) => {
    // the id from the path itself, so the handler works the same however it is called
    const uploadId = new URL(req.url).pathname.split('/').at(-2) ?? ''
    const parsed = previewUploadSchema.safeParse(await req.json().catch(() => ({})))
    if (!parsed.success) return routeError(400, 'The column choices could not be read.')
    const start = await startPreview(caller, uploadId, parsed.data)
    if (!start.ok) return routeError(start.status, start.error)
    const encoder = new TextEncoder()
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (line: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`))
        try {
          const preview = await start.run((p) => send({ type: 'progress', ...p }))
          send({ type: 'done', counts: preview.counts })
        } catch (e) {
          if (!isUploadFileError(e)) logger.error({ err: e, uploadId }, 'upload preview failed')
          send({ type: 'error', message: previewErrorMessage(e) })
        }
        controller.close()
      },
    })
    return new Response(stream, {
      headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' },
    })
  },
})
