import fs from 'node:fs'
import path from 'node:path'
import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Api, RouteDeps } from '../api/routes/context.ts'
import { ApiError } from '../domain/errors.ts'
import { sendError } from '../http/envelope.ts'
import { renderApiReference, type OpenApiDocument } from './docs.ts'
import { projectRoot } from '../project-root.ts'

// The assets stay in src/ (they are served as they are), also when this module runs from the bundle in dist/.
const STATIC_DIR = path.join(projectRoot(), 'src', 'console', 'static')

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
}

/** The console talks only to this server; nothing inline, nothing from elsewhere. */
const CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
/** The reference is one static page: its own inline styles, no script at all. */
const DOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

interface Asset {
  body: Buffer
  type: string
  etag: string
}

/**
 * Every file under static/, read once at start and keyed by its URL path. Only these keys are ever
 * served, so no request path reaches the file system: `..`, encoded slashes and absolute paths simply
 * match nothing.
 */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.isFile()) {
        const type = CONTENT_TYPES[path.extname(entry.name).toLowerCase()]
        if (!type) continue
        const body = fs.readFileSync(full)
        const key = `/${path.relative(dir, full).split(path.sep).join('/')}`
        assets.set(key, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` })
      }
    }
  }
  walk(dir)
  return assets
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset, csp: string) {
  reply
    .header('content-type', asset.type)
    .header('etag', asset.etag)
    // File names carry no version: always revalidate (a 304 costs one round trip, a stale app.js costs a broken console).
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
  if (asset.type.startsWith('text/html')) reply.header('content-security-policy', csp).header('x-frame-options', 'DENY')
  const match = request.headers['if-none-match']
  if (match !== undefined && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === asset.etag)) return reply.code(304).send()
  return reply.code(200).send(asset.body)
}

/** The URL path below `prefix`, without query; `undefined` when it is not a clean, decodable path. */
function subPath(request: FastifyRequest, prefix: string): string | undefined {
  const raw = (request.raw.url ?? '/').split('?')[0]!
  if (!raw.startsWith(prefix)) return undefined
  const rest = raw.slice(prefix.length)
  try {
    return decodeURIComponent(rest)
  } catch {
    return undefined
  }
}

/**
 * The web console, served at /console, and the readable API reference at /docs. Both are public
 * pages: the console signs in through POST /v3/auth/tokens and calls the API with the user's token.
 * Their routes are hidden from the OpenAPI document: they are pages, not API operations.
 */
export async function consoleRoutes(app: Api, _deps: RouteDeps): Promise<void> {
  const assets = loadAssets(STATIC_DIR)
  const index = assets.get('/index.html')
  if (!index) throw new Error(`console assets are missing: no index.html in ${STATIC_DIR}`)
  const page = { config: { public: true }, schema: { hide: true } } as const

  app.get('/console', { ...page, handler: (request, reply) => sendAsset(request, reply, index, CONSOLE_CSP) })
  app.get('/console/*', {
    ...page,
    handler: (request, reply) => {
      const rest = subPath(request, '/console')
      if (rest === '' || rest === '/') return sendAsset(request, reply, index, CONSOLE_CSP)
      const asset = rest === undefined ? undefined : assets.get(rest)
      if (!asset) return sendError(request, reply, new ApiError('resourceNotFound', 'No such console file.'))
      return sendAsset(request, reply, asset, CONSOLE_CSP)
    },
  })

  let reference: Asset | undefined
  app.get('/docs', {
    ...page,
    handler: (request, reply) => {
      // Rendered on first use: every route is registered by then, and the document does not change while running.
      if (!reference) {
        const body = Buffer.from(renderApiReference(app.swagger() as OpenApiDocument), 'utf8')
        reference = { body, type: 'text/html; charset=utf-8', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }
      }
      return sendAsset(request, reply, reference, DOCS_CSP)
    },
  })
}
