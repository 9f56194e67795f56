import { keyedRoute, routeError } from '@/lib/auth/route'
import { receiveFeed } from '@/lib/feed/receive'

export const dynamic = 'force-dynamic'

// The sales feed: a till or POS middleware pushes sales with an API key (Settings → API keys). One answer per
// sale (stored, unchanged, corrected, invalid, busy); a bad request is refused whole. Contract: /api/v1/openapi.json.
export const POST = keyedRoute({
  name: 'feed.pushSales',
  unexpected:
    'The sales could not be stored and nothing was kept. Send them again; if it keeps failing, tell your administrator.',
  handler: async (req, key, ctx) => {
    const answer = await receiveFeed(req, key, ctx.ip)
    if (answer.status !== 200 || !('body' in answer))
      return routeError(answer.status, 'error' in answer ? answer.error : '')
    return Response.json(answer.body, { headers: { 'cache-control': 'no-store' } })
  },
})
