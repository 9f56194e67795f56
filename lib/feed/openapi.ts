// The OpenAPI 3.1 document of the sales feed, generated from the zod schemas the route parses with
// (zod 4's z.toJSONSchema: JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Nothing here restates a field.
import { z } from 'zod'
import {
  FEED_LIMITS,
  feedErrorSchema,
  feedItemSchema,
  feedReasonSchema,
  feedResponseSchema,
  feedResultSchema,
  feedSaleSchema,
} from './schema'

const COMPONENTS = [
  feedItemSchema,
  feedSaleSchema,
  feedReasonSchema,
  feedResultSchema,
  feedResponseSchema,
  feedErrorSchema,
]

function componentSchemas() {
  const registry = z.registry<{ id: string }>()
  for (const s of COMPONENTS) {
    const id = (s.meta() as { id?: string } | undefined)?.id
    if (id) registry.add(s, { id })
  }
  const out = z.toJSONSchema(registry, { io: 'input', uri: (id) => `#/components/schemas/${id}` })
  // the components section holds the schemas themselves, without a $schema or $id of their own
  return Object.fromEntries(
    Object.entries(out.schemas).map(([id, schema]) => {
      const { $schema: _s, $id: _i, ...rest } = schema as Record<string, unknown>
      return [id, rest]
    }),
  )
}

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
})

export function feedOpenApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Storefront Sync sales feed',
      version: '1.0.0',
      description:
        'Push a day of sales from a till or POS middleware. Sales are checked with the same rules as an upload and submitted to Constructor on the store’s schedule. Sending the same request again changes nothing.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    paths: {
      '/api/v1/sales': {
        post: {
          operationId: 'pushSales',
          summary: `Store up to ${FEED_LIMITS.maxSales} sales`,
          description: `A JSON array of sales, or a CSV file in any layout the store's saved column mapping reads (name the store with ?store=<code> when the key writes several). At most ${FEED_LIMITS.maxSales} sales and ${FEED_LIMITS.maxBodyBytes} bytes per request. Each sale is answered in order; a request with a bad body, too many sales or a store the key may not write is refused whole and stores nothing.`,
          parameters: [
            {
              name: 'store',
              in: 'query',
              required: false,
              schema: { type: 'string' },
              description:
                'CSV body: the store code the file is for (needed when the key writes several stores)',
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'array',
                  minItems: 1,
                  maxItems: FEED_LIMITS.maxSales,
                  items: { $ref: '#/components/schemas/Sale' },
                },
              },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          responses: {
            '200': {
              description:
                'Every sale answered: stored, unchanged, corrected, invalid (with reasons) or busy',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/SalesFeedResponse' } } },
            },
            '400': error('Malformed JSON, not an array, an empty array, or an unreadable CSV'),
            '401': error('Missing, wrong or revoked API key'),
            '403': error('A sale names a store this key may not write'),
            '413': error('The body is over the byte limit, or has more sales than the maximum'),
            '415': error('Neither application/json nor text/csv'),
            '422': error('CSV whose layout has no saved column mapping for the store'),
            '429': error('Too many requests with this key: wait for Retry-After'),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A key from Settings → API keys (sfk_…)' },
      },
      schemas: componentSchemas(),
    },
  }
}
