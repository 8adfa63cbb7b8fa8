import { ERRORS } from '../domain/errors.ts'

/*
 * The readable API reference served at /docs: one self-contained HTML page (inline styles, no script,
 * nothing from elsewhere) rendered from the OpenAPI document the server generates from its route
 * schemas, so it always describes the running server.
 */

type Json = Record<string, unknown>

interface Schema {
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  additionalProperties?: boolean | Schema
  enum?: unknown[]
  const?: unknown
  pattern?: string
  format?: string
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  default?: unknown
  description?: string
  nullable?: boolean
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  $ref?: string
  'x-vpcep-error'?: string
}

interface Parameter {
  in: string
  name: string
  required?: boolean
  description?: string
  schema?: Schema
}

interface Operation {
  operationId?: string
  summary?: string
  description?: string
  tags?: string[]
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> }
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>
  security?: unknown[]
}

export interface OpenApiDocument {
  info?: { title?: string; version?: string; description?: string }
  paths?: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, { type?: string; in?: string; name?: string; description?: string }> }
}

/** One line per operation, for operations whose schema carries no summary of its own. */
const SUMMARIES: Record<string, string> = {
  ListVersionDetails: 'Lists the API versions.',
  ListSpecifiedVersionDetails: 'Shows one API version.',
  KeystoneCreateUserTokenByPassword: 'Signs in with account, user name and password; the token is in the X-Subject-Token response header.',
  KeystoneListProjects: 'Lists the projects the caller may use.',
  KeystoneListAuthProjects: 'Lists the projects the caller may use (the auth/projects spelling).',
  CreateEndpointService: 'Creates an endpoint service; it starts in creating and becomes available.',
  ListEndpointService: 'Lists the project’s endpoint services.',
  ListServiceDetails: 'Shows one endpoint service.',
  UpdateEndpointService: 'Changes an endpoint service (ports, approval, description…).',
  DeleteEndpointService: 'Deletes an endpoint service; it goes deleting, then disappears (404).',
  UpdateEndpointServiceName: 'Renames an endpoint service.',
  ListServiceDescribeDetails: 'Looks up any service by full name or id, as a consumer does before connecting.',
  ListServicePublicDetails: 'Lists the operator’s public services.',
  ListServicePermissionsDetails: 'Lists the whitelist of a service: the accounts allowed to connect.',
  AddOrRemoveServicePermissions: 'Adds or removes whitelist entries by their strings.',
  BatchAddEndpointServicePermissions: 'Adds whitelist records, with descriptions.',
  BatchRemoveEndpointServicePermissions: 'Removes several whitelist records at once, by record id (all or nothing).',
  UpdateEndpointServicePermissionDesc: 'Changes the description of one whitelist record.',
  ListServiceConnections: 'Lists the connections (endpoints of other projects) of a service.',
  AcceptOrRejectEndpoint: 'Accepts or rejects a connection.',
  UpdateEndpointConnectionsDesc: 'Changes the description of a connection.',
  CreateEndpoint: 'Creates an endpoint to a service; it becomes pendingAcceptance or accepted.',
  ListEndpoints: 'Lists the project’s endpoints.',
  ListEndpointInfoDetails: 'Shows one endpoint.',
  UpdateEndpointWhite: 'Changes the IP whitelist of an endpoint.',
  DeleteEndpoint: 'Deletes an endpoint.',
  UpdateEndpointPolicy: 'Sets the access policy of an endpoint.',
  DeleteEndpointPolicy: 'Removes the access policy of an endpoint.',
  UpdateEndpointRoutetable: 'Changes the route tables of a gateway endpoint.',
  ListQuotaDetails: 'Shows the project’s quotas and how much of each is used.',
  BatchAddOrRemoveResourceInstance: 'Adds or removes tags of a service or endpoint.',
  ListQueryProjectResourceTags: 'Lists the tags in use in the project.',
  ListResourceInstances: 'Searches services or endpoints by tag.',
  UpgradeEndpointService: 'Upgrades an endpoint service to the professional edition.',
  UpgradeEndpoint: 'Upgrades an endpoint to the professional edition.',
  AddEndpointServiceServerResource: 'Adds backend resources to a professional endpoint service.',
  ShowHealth: 'Liveness: the process answers.',
  ShowReadiness: 'Readiness: the database answers.',
}

/** What each error status means for every operation that lists it. */
const STATUS_MEANING: Record<string, string> = {
  '400': 'The request is not valid: EndPoint.0002, or the field’s own code below, or a business rule of the operation.',
  '401': 'No valid credentials: EndPoint.0003.',
  '403': 'The credentials may not use this project: EndPoint.0004.',
  '404': 'No such resource in this project: EndPoint.0005 (services), EndPoint.2006 (endpoints).',
  '405': 'The path exists with another method.',
  '413': 'The body is larger than 1 MiB.',
  '503': 'The database is not reachable; retry: EndPoint.0001.',
}

const TAG_ORDER = ['iam', 'endpoint services', 'whitelist', 'connections', 'endpoints', 'quotas', 'tags', 'versions', 'operations']
const TAG_TITLES: Record<string, string> = { iam: 'IAM: tokens and projects', operations: 'Operations: health and readiness' }
const tagTitle = (tag: string) => TAG_TITLES[tag] ?? `${tag.charAt(0).toUpperCase()}${tag.slice(1)}`
const METHODS = ['get', 'post', 'put', 'patch', 'delete']

const escapeHtml = (value: unknown) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** Escapes, then renders the one piece of Markdown the descriptions use: `code`. */
const prose = (value: string) => escapeHtml(value).replace(/`([^`]+)`/g, '<code>$1</code>')

const slug = (value: string) => value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')

const messageOf = new Map<string, string>(Object.values(ERRORS).map((e) => [e.code, e.message]))

function resolve(document: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema
  const name = schema.$ref.replace('#/components/schemas/', '')
  return document.components?.schemas?.[name]
}

function typeOf(document: OpenApiDocument, raw: Schema): string {
  const schema = resolve(document, raw) ?? {}
  if (schema.anyOf || schema.oneOf) return (schema.anyOf ?? schema.oneOf)!.map((s) => typeOf(document, s)).join(' | ')
  const base = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? (schema.properties ? 'object' : 'any'))
  if (base === 'array' && schema.items) return `${typeOf(document, schema.items)}[]`
  return schema.nullable ? `${base} | null` : base
}

function constraints(schema: Schema): string[] {
  const out: string[] = []
  if (schema.enum) out.push(`one of ${schema.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(', ')}`)
  if (schema.const !== undefined) out.push(`exactly <code>${escapeHtml(JSON.stringify(schema.const))}</code>`)
  if (schema.minimum !== undefined || schema.maximum !== undefined) out.push(`${schema.minimum ?? '…'}–${schema.maximum ?? '…'}`)
  if (schema.minLength !== undefined || schema.maxLength !== undefined) out.push(`${schema.minLength ?? 0}–${schema.maxLength ?? '…'} characters`)
  if (schema.minItems !== undefined || schema.maxItems !== undefined) out.push(`${schema.minItems ?? 0}–${schema.maxItems ?? '…'} items`)
  if (schema.pattern) out.push(`matches <code>${escapeHtml(schema.pattern)}</code>`)
  if (schema.format) out.push(escapeHtml(schema.format))
  if (schema.default !== undefined) out.push(`default <code>${escapeHtml(JSON.stringify(schema.default))}</code>`)
  if (schema.description) out.push(prose(schema.description))
  return out
}

interface Row {
  path: string
  depth: number
  type: string
  required: boolean
  notes: string[]
  error?: string
}

/** Flattens a schema into one row per field, nested fields indented under their parent (`ports[].client_port`). */
function rows(document: OpenApiDocument, raw: Schema | undefined, prefix = '', depth = 0, seen = new Set<Schema>()): Row[] {
  const schema = resolve(document, raw)
  if (!schema || seen.has(schema)) return []
  const next = new Set(seen).add(schema)
  const out: Row[] = []
  const object = schema.type === 'array' ? resolve(document, schema.items) : schema
  const childPrefix = schema.type === 'array' ? `${prefix}[]` : prefix
  for (const [name, childRaw] of Object.entries(object?.properties ?? {})) {
    const child = resolve(document, childRaw) ?? {}
    const path = childPrefix ? `${childPrefix}.${name}` : name
    out.push({ path, depth, type: typeOf(document, child), required: object?.required?.includes(name) ?? false, notes: constraints(child), error: child['x-vpcep-error'] })
    out.push(...rows(document, child, path, depth + 1, next))
  }
  for (const variant of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) out.push(...rows(document, variant, prefix, depth, next))
  return out
}

function fieldTable(caption: string, list: Row[]): string {
  if (list.length === 0) return ''
  const body = list
    .map(
      (r) => `<tr><td class="field" style="padding-left:${0.5 + r.depth * 1.25}rem"><code>${escapeHtml(r.path)}</code></td><td><code>${escapeHtml(r.type)}</code></td><td>${r.required ? 'yes' : ''}</td><td>${r.notes.join('; ')}</td><td>${
        r.error ? `<a href="#error-${slug(r.error)}"><code>${escapeHtml(r.error)}</code></a>` : ''
      }</td></tr>`,
    )
    .join('\n')
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Constraints</th><th scope="col">Error code</th></tr></thead><tbody>\n${body}\n</tbody></table>`
}

function parameterTable(document: OpenApiDocument, parameters: Parameter[]): string {
  if (parameters.length === 0) return ''
  const body = parameters
    .map((p) => {
      const schema = resolve(document, p.schema) ?? {}
      const notes = [...(p.description ? [prose(p.description)] : []), ...constraints(schema)]
      const error = schema['x-vpcep-error']
      return `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td><code>${escapeHtml(typeOf(document, schema))}</code></td><td>${p.required ? 'yes' : ''}</td><td>${notes.join('; ')}</td><td>${
        error ? `<a href="#error-${slug(error)}"><code>${escapeHtml(error)}</code></a>` : ''
      }</td></tr>`
    })
    .join('\n')
  return `<table><caption>Parameters</caption><thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Constraints</th><th scope="col">Error code</th></tr></thead><tbody>\n${body}\n</tbody></table>`
}

/** Every `x-vpcep-error` annotation of an operation's inputs: the code a violation of that field answers with. */
function fieldErrors(document: OpenApiDocument, operation: Operation): Array<{ field: string; code: string }> {
  const out: Array<{ field: string; code: string }> = []
  for (const p of operation.parameters ?? []) {
    const code = resolve(document, p.schema)?.['x-vpcep-error']
    if (code) out.push({ field: p.name, code })
  }
  for (const r of rows(document, operation.requestBody?.content?.['application/json']?.schema)) if (r.error) out.push({ field: r.path, code: r.error })
  return out
}

function renderOperation(document: OpenApiDocument, method: string, path: string, operation: Operation): string {
  const id = operation.operationId ?? `${method}-${path}`
  const summary = operation.summary ?? SUMMARIES[id] ?? ''
  const isPublic = Array.isArray(operation.security) && operation.security.length === 0
  const parts: string[] = []
  parts.push(`<section class="operation" id="op-${slug(id)}" aria-labelledby="op-${slug(id)}-title">`)
  parts.push(`<h3 id="op-${slug(id)}-title"><span class="method ${method}">${method.toUpperCase()}</span> <code class="path">${escapeHtml(path)}</code></h3>`)
  parts.push(`<p class="opid"><strong>${escapeHtml(id)}</strong>${summary ? ` — ${prose(summary)}` : ''}</p>`)
  if (operation.description) parts.push(`<p>${prose(operation.description)}</p>`)
  parts.push(`<p class="auth">${isPublic ? 'Public: no credentials needed.' : 'Needs <code>X-Auth-Token</code> or an AK/SK signature.'}</p>`)
  parts.push(parameterTable(document, operation.parameters ?? []))
  const body = operation.requestBody?.content?.['application/json']?.schema
  if (body) parts.push(fieldTable(`Request body (application/json)${operation.requestBody?.required ? '' : ', optional'}`, rows(document, body)))

  const responses = Object.entries(operation.responses ?? {})
  const ok = responses.filter(([status]) => Number(status) < 400)
  for (const [status, response] of ok) {
    const schema = response.content?.['application/json']?.schema
    const list = rows(document, schema)
    if (list.length > 0) parts.push(`<details><summary>Response ${escapeHtml(status)} body</summary>${fieldTable(`Response ${status}`, list)}</details>`)
    else parts.push(`<p class="response">Response <strong>${escapeHtml(status)}</strong>${schema ? ` — <code>${escapeHtml(typeOf(document, schema))}</code>` : ', empty body'}.</p>`)
  }
  const failures = responses.filter(([status]) => Number(status) >= 400)
  const codes = fieldErrors(document, operation)
  if (failures.length > 0 || codes.length > 0) {
    const items = failures.map(([status]) => `<li><strong>${escapeHtml(status)}</strong> — ${escapeHtml(STATUS_MEANING[status] ?? 'An error.')}</li>`)
    const seen = new Set<string>()
    for (const { field, code } of codes) {
      const key = `${field} ${code}`
      if (seen.has(key)) continue
      seen.add(key)
      items.push(`<li><a href="#error-${slug(code)}"><code>${escapeHtml(code)}</code></a> — <code>${escapeHtml(field)}</code> is not valid${messageOf.has(code) ? ` (“${escapeHtml(messageOf.get(code))}”)` : ''}.</li>`)
    }
    parts.push(`<div class="errors"><h4>Errors</h4><ul>${items.join('')}</ul></div>`)
  }
  parts.push('</section>')
  return parts.filter(Boolean).join('\n')
}

export function renderApiReference(document: OpenApiDocument): string {
  const byTag = new Map<string, Array<{ method: string; path: string; operation: Operation }>>()
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method]
      if (!operation) continue
      const tag = operation.tags?.[0] ?? 'other'
      if (!byTag.has(tag)) byTag.set(tag, [])
      byTag.get(tag)!.push({ method, path, operation })
    }
  }
  const rank = (tag: string) => (TAG_ORDER.includes(tag) ? TAG_ORDER.indexOf(tag) : TAG_ORDER.length)
  const tags = [...byTag.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  const pathOrder = (a: { path: string; method: string }, b: { path: string; method: string }) =>
    a.path.localeCompare(b.path) || METHODS.indexOf(a.method) - METHODS.indexOf(b.method)
  for (const tag of tags) byTag.get(tag)!.sort(pathOrder)

  const title = document.info?.title ?? 'API reference'
  const nav = tags
    .map(
      (tag) =>
        `<li><a href="#tag-${slug(tag)}">${escapeHtml(tagTitle(tag))}</a><ul>${byTag
          .get(tag)!
          .map(({ operation, method, path }) => {
            const id = operation.operationId ?? `${method}-${path}`
            return `<li><a href="#op-${slug(id)}">${escapeHtml(id)}</a></li>`
          })
          .join('')}</ul></li>`,
    )
    .join('')
  const security = Object.entries(document.components?.securitySchemes ?? {})
    .map(([name, s]) => `<dt><code>${escapeHtml(name)}</code> (${escapeHtml(s.type ?? '')} in ${escapeHtml(s.in ?? '')} <code>${escapeHtml(s.name ?? '')}</code>)</dt><dd>${prose(s.description ?? '')}</dd>`)
    .join('\n')
  const sections = tags
    .map((tag) => `<section class="tag" id="tag-${slug(tag)}" aria-labelledby="tag-${slug(tag)}-title"><h2 id="tag-${slug(tag)}-title">${escapeHtml(tagTitle(tag))}</h2>\n${byTag
      .get(tag)!
      .map(({ method, path, operation }) => renderOperation(document, method, path, operation))
      .join('\n')}</section>`)
    .join('\n')
  const catalog = [...new Map(Object.values(ERRORS).map((e) => [`${e.code} ${e.status}`, e])).values()]
    .sort((a, b) => a.code.localeCompare(b.code) || a.status - b.status)
  const seenIds = new Set<string>()
  const errorRows = catalog
    .map((e) => {
      const anchor = `error-${slug(e.code)}`
      const idAttr = seenIds.has(anchor) ? '' : ` id="${anchor}"`
      seenIds.add(anchor)
      return `<tr${idAttr}><td><code>${escapeHtml(e.code)}</code></td><td>${e.status}</td><td>${escapeHtml(e.message)}</td></tr>`
    })
    .join('\n')

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — API reference</title>
<link rel="icon" href="/console/favicon.svg" type="image/svg+xml">
<style>
:root { color-scheme: light; --ink: #1d232b; --muted: #56606c; --line: #d5dbe1; --accent: #0b5cad; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
a { color: var(--accent); }
a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
code { font: 0.9em/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; overflow-wrap: anywhere; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 0.5rem; }
.skip:focus { left: 0.5rem; z-index: 2; }
.layout { display: grid; grid-template-columns: 17rem minmax(0, 1fr); min-height: 100vh; }
nav { background: var(--bg); border-right: 1px solid var(--line); padding: 1rem; position: sticky; top: 0; height: 100vh; overflow: auto; font-size: 14px; }
nav ul { list-style: none; padding-left: 0.75rem; margin: 0.25rem 0; }
nav > ul { padding-left: 0; }
nav > ul > li { margin-top: 0.4rem; }
nav > ul > li > a { font-weight: 600; }
nav a { overflow-wrap: anywhere; }
main { padding: 1.5rem 2rem 4rem; max-width: 72rem; }
h1 { margin-top: 0; font-size: 1.6rem; }
h2 { border-bottom: 2px solid var(--line); padding-bottom: 0.25rem; margin-top: 2.5rem; }
h3 { font-size: 1.05rem; margin: 0 0 0.25rem; }
.operation { border: 1px solid var(--line); border-radius: 6px; padding: 0.9rem 1rem; margin: 1rem 0; }
.method { display: inline-block; min-width: 4.2rem; text-align: center; border-radius: 4px; padding: 0.05rem 0.4rem; color: #fff; font-size: 0.8rem; letter-spacing: 0.03em; vertical-align: 0.1em; }
.method.get { background: #1f6f43; } .method.post { background: #0b5cad; } .method.put { background: #8a5a00; } .method.delete { background: #a4262c; } .method.patch { background: #5c2d91; }
.opid { margin: 0.25rem 0; } .auth, .response { color: var(--muted); margin: 0.25rem 0; }
table { border-collapse: collapse; width: 100%; margin: 0.6rem 0; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: var(--bg); }
td.field { white-space: nowrap; }
details { margin: 0.5rem 0; } summary { cursor: pointer; color: var(--accent); }
summary:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.errors h4 { margin: 0.6rem 0 0.2rem; font-size: 0.95rem; } .errors ul { margin: 0; padding-left: 1.2rem; }
dt { font-weight: 600; margin-top: 0.5rem; } dd { margin-left: 1rem; }
@media (max-width: 900px) { .layout { display: block; } nav { position: static; height: auto; border-right: 0; border-bottom: 1px solid var(--line); } main { padding: 1rem; } }
</style>
</head>
<body>
<a class="skip" href="#main">Skip to the reference</a>
<div class="layout">
<nav aria-label="Operations"><p><strong>${escapeHtml(title)}</strong><br>version ${escapeHtml(document.info?.version ?? '')}</p><ul>${nav}<li><a href="#errors">error codes</a></li></ul></nav>
<main id="main">
<h1>API reference</h1>
<p>${prose(document.info?.description ?? '')} This page is generated from the server’s OpenAPI document
(<a href="/openapi.json">/openapi.json</a>). Paths, fields and error codes are those of the Huawei Cloud VPCEP API;
the web console is at <a href="/console/">/console/</a>.</p>
<h2 id="auth">Authentication</h2>
<p>Every operation but the public ones needs one of these. Obtain a token with
<a href="#op-${slug('KeystoneCreateUserTokenByPassword')}">KeystoneCreateUserTokenByPassword</a>.</p>
<dl>${security}</dl>
<p>Every response carries <code>X-Request-Id</code>. Every error has the body
<code>{"error_code", "error_msg", "error": {"code", "message"}, "request_id"}</code> with identical values in both shapes.</p>
${sections}
<section id="errors" aria-labelledby="errors-title"><h2 id="errors-title">Error codes</h2>
<p>The codes this server answers with, their HTTP status and the message <code>error_msg</code> starts with
(a second sentence names the field or record at fault).</p>
<table><caption>Error catalog</caption><thead><tr><th scope="col">Code</th><th scope="col">HTTP</th><th scope="col">Message</th></tr></thead><tbody>
${errorRows}
</tbody></table></section>
</main>
</div>
</body>
</html>
`
}
