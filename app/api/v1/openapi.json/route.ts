import { feedOpenApiDocument } from '@/lib/feed/openapi'

export const dynamic = 'force-dynamic'

// The feed's contract, public like any API description: it holds no data, only the shapes the route parses.
export async function GET(req: Request) {
  return Response.json(feedOpenApiDocument(new URL(req.url).origin), {
    headers: { 'cache-control': 'public, max-age=300' },
  })
}
