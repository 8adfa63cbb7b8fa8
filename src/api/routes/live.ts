import type { Api, RouteDeps } from './context.ts'
import { COMMON_ERRORS, ProjectParams } from '../schemas/common.ts'
import { EXTENSION_PREFIX } from '../schemas/subscriptions.ts'

/** A comment line now and then keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000
/** A stream ends after this long; the client reconnects, authenticating again (a token may have expired). */
const STREAM_LIFETIME_MS = 3600_000

/**
 * The project's changes as server-sent events (`event: change`, JSON data), authenticated and confined
 * to the project like every other call. The console follows it instead of polling.
 */
export async function liveRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const { live } = deps
  app.get(`${EXTENSION_PREFIX}/events/stream`, {
    schema: {
      operationId: 'StreamProjectChanges',
      tags: ['events'],
      description: 'text/event-stream: one `change` event per change to the project\'s resources or to connections of its services.',
      params: ProjectParams,
      response: { ...COMMON_ERRORS },
    },
    handler: async (request, reply) => {
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-request-id': request.id, 'x-accel-buffering': 'no' })
      res.write('retry: 2000\n: connected\n\n')
      let closed = false
      const end = () => {
        if (closed) return
        closed = true
        clearInterval(heartbeat)
        clearTimeout(lifetime)
        stopListening()
        res.end()
      }
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS)
      const lifetime = setTimeout(end, STREAM_LIFETIME_MS)
      let stopListening: () => void = () => {}
      stopListening = await live.listen(request.scope.projectId, (change) => res.write(`event: change\ndata: ${JSON.stringify(change)}\n\n`), end)
      if (closed) stopListening()
      request.raw.on('close', end)
      res.on('close', end)
    },
  })
}
