import { getCaller } from '@/lib/auth/caller'
import { logger } from '@/lib/log'
import { isUploadFileError } from '@/lib/uploads/errors'
import { previewUploadSchema } from '@/lib/uploads/schema'
import { previewErrorMessage, startPreview } from '@/lib/uploads/storage/preview-run'

export const dynamic = 'force-dynamic'

// POST { mapping?, dateOrder?, decimalSeparator? }: reads the whole stored file and answers with NDJSON,
// one {type:'progress'} line as parsing advances, then {type:'done'} or {type:'error', message}.
export async function POST(req: Request) {
  const url = new URL(req.url)
  const origin = req.headers.get('origin')
  if (origin !== null && origin !== url.origin && origin !== `${url.protocol}//${req.headers.get('host')}`)
    return Response.json({ error: 'This request came from another site and was refused.' }, { status: 403 })
  // the id from the path itself, so the handler works the same however it is called
  const uploadId = url.pathname.split('/').at(-2) ?? ''
  const parsed = previewUploadSchema.safeParse(await req.json().catch(() => ({})))
  if (!parsed.success)
    return Response.json({ error: 'The column choices could not be read.' }, { status: 400 })
  const start = await startPreview(await getCaller(), uploadId, parsed.data)
  if (!start.ok) return Response.json({ error: start.error }, { status: start.status })
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
}
