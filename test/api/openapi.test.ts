import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import type { AddressInfo } from 'node:net'
import type { RouteOptions } from 'fastify'
import SwaggerParser from '@apidevtools/swagger-parser'
import { loadConfig } from '../../src/config.ts'
import { openStore, type Store } from '../../src/store/database.ts'
import { buildApp, type App } from '../../src/app.ts'
import { serializeOpenApi } from '../../src/api/routes/openapi.ts'

const COMMITTED = new URL('../../docs/openapi.json', import.meta.url)
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

type Operation = { operationId?: string; security?: unknown[] }
type Document = { paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>> }

/** `/v1/:project_id/x` → `/v1/{project_id}/x`, as the document spells paths. */
const documentPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

// Built as scripts/write-openapi.ts builds it: default settings over a throwaway in-memory database.
describe('OpenAPI description', () => {
  let store: Store
  let app: App
  let url: string
  const routes: RouteOptions[] = []

  before(async () => {
    const databaseUrl = 'sqlite::memory:'
    store = await openStore(databaseUrl)
    app = buildApp({ config: loadConfig({ VPCEP_DATABASE_URL: databaseUrl }), store, logger: false })
    // Route plugins run at ready time, so a hook added now still sees every route.
    app.server.addHook('onRoute', (route) => {
      if (route.method !== 'HEAD') routes.push(route)
    })
    await app.server.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`
  })

  after(async () => {
    await app?.close()
    await store?.close()
  })

  it('matches the committed docs/openapi.json', () => {
    const current = serializeOpenApi(app.server.swagger())
    const committed = fs.existsSync(COMMITTED) ? fs.readFileSync(COMMITTED, 'utf8') : ''
    assert.ok(current === committed, 'docs/openapi.json is out of date: run npm run openapi')
  })

  it('is a valid OpenAPI document', async () => {
    // The validator dereferences in place: give it a copy.
    await SwaggerParser.validate(structuredClone(app.server.swagger()) as never)
  })

  it('documents every API route, each with an operationId; public routes need no credentials', () => {
    const document = app.server.swagger() as unknown as Document
    assert.ok(routes.length > 0, 'the onRoute hook saw the routes')
    const missing: string[] = []
    for (const route of routes) {
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      for (const method of methods) {
        const name = `${method} ${route.url}`
        // The description itself and the pages for people (console, reference) are hidden on purpose.
        if (route.url === '/openapi.json' || (route.schema as { hide?: boolean } | undefined)?.hide) {
          assert.equal(document.paths[documentPath(route.url)], undefined, `${name} is not described`)
          continue
        }
        const schema = route.schema as { operationId?: string } | undefined
        if (!schema?.operationId) missing.push(name)
        const operation = document.paths[documentPath(route.url)]?.[method.toLowerCase() as (typeof METHODS)[number]]
        assert.ok(operation, `${name} is in the document`)
        assert.equal(operation.operationId, schema?.operationId)
        if (route.config?.public) assert.deepEqual(operation.security, [], `${name} is public`)
        else assert.equal(operation.security, undefined, `${name} uses the document's security`)
      }
    }
    assert.deepEqual(missing, [], `routes without schema.operationId: ${missing.join(', ')}`)
    const ids = Object.values(document.paths).flatMap((item) => METHODS.flatMap((m) => (item[m] ? [item[m].operationId] : [])))
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique')
  })

  it('is served at GET /openapi.json without credentials', async () => {
    const response = await fetch(`${url}/openapi.json`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
    assert.deepEqual(await response.json(), JSON.parse(JSON.stringify(app.server.swagger())))
  })
})
