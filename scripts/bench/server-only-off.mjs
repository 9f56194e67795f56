// bench:feed's server child runs the route handler outside Next: server-only's guard (which Next and vitest map
// to its empty module) is mapped to that same empty module here, for import and require alike.
import Module, { register } from 'node:module'
import { fileURLToPath } from 'node:url'

const empty = new URL('../../node_modules/server-only/empty.js', import.meta.url).href
const hooks = `export async function resolve(specifier, context, next) {
  return specifier === 'server-only' ? { url: ${JSON.stringify(empty)}, shortCircuit: true } : next(specifier, context)
}`
register(`data:text/javascript,${encodeURIComponent(hooks)}`)
const resolveFilename = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  return request === 'server-only' ? fileURLToPath(empty) : resolveFilename.call(this, request, ...rest)
}
