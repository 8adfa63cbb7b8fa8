import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import type { HttpResult } from '../helpers/http.ts'
import { ERRORS } from '../../src/domain/errors.ts'
import {
  Rng,
  changedTables,
  createTenant,
  documentedOperations,
  fixedUuid,
  openReader,
  pool,
  sendRaw,
  settle,
  strangerDomain,
  type DatabaseReader,
  type DocumentedOperation,
  type RawRequest,
  type Tenant,
} from './support.ts'

/*
 * "vpcep under attack", part 1: a seeded generator of invalid requests for every /v1, /v2 and /v3
 * operation. Every request is signed with the official SDK-core signer (raw bodies through
 * X-Sdk-Content-Sha256), so authentication passes and the input itself is judged. The few paths the
 * official signer cannot express (a `/`, space or quote inside a segment: it percent-encodes the
 * already-encoded form) authenticate with an IAM token instead; a query string that is not UTF-8 cannot
 * be signed at all and may answer 401 naming the encoding.
 *
 * Every answer must be a 4xx with an EndPoint code and a message that adds a detail to the catalog text
 * (naming the field when one is at fault), never a 5xx or a reset connection; and no table but `tokens`
 * may change. The seed is fixed and printed with the summary, and every generated case runs (no time
 * budget), so each run sends the same requests; set VPCEP_FUZZ_SEED to try another sequence.
 */

const SEED = Number(process.env.VPCEP_FUZZ_SEED ?? 0x5eed2026)
const CONCURRENCY = 12
const BATCH = 250

type Json = null | boolean | number | string | Json[] | { [key: string]: Json } | RawJson

/** JSON text emitted verbatim by `serialize` (huge arrays, deep nesting). */
class RawJson {
  constructor(readonly text: string) {}
}

interface Schema {
  type?: string
  /** OpenAPI 3.0's mark that null is a valid value too. */
  nullable?: boolean
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  items?: Schema
  enum?: unknown[]
  minLength?: number
  maxLength?: number
  pattern?: string
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
}

interface Case {
  op: string
  kind: string
  what: string
  request: RawRequest
  /** A name the error message must contain. */
  field?: string
  /** The request cannot be signed (its query is not UTF-8): 401 naming the encoding is an answer too. */
  unsignable?: boolean
}

interface Base {
  params: Record<string, string>
  /** Request headers the operation reads (signed like every other header). */
  headers?: Record<string, string>
  query?: Record<string, string>
  body?: Json
}

const CATALOG = Object.values(ERRORS) as Array<{ code: string; message: string }>
const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i

function serialize(value: Json | undefined, duplicate?: { at: Array<string | number>; escaped: boolean; other: boolean }, path: Array<string | number> = []): string {
  if (value instanceof RawJson) return value.text
  if (value === undefined) return 'null'
  if (Array.isArray(value)) return `[${value.map((v, i) => serialize(v, duplicate, [...path, i])).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${serialize(v, duplicate, [...path, k])}`)
    if (duplicate && samePath(duplicate.at, path) && entries.length > 0) {
      const [key, v] = Object.entries(value)[0]!
      const name = duplicate.escaped ? `"${[...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(key)
      entries.push(`${name}:${duplicate.other ? serialize(typeof v === 'string' ? `${v}2` : v) : serialize(v)}`)
    }
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value)
}

function samePath(a: Array<string | number>, b: Array<string | number>): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function clone(value: Json | undefined): Json | undefined {
  if (value instanceof RawJson || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => clone(v)!) as Json[]
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)!]))
}

function setAt(root: Json | undefined, path: Array<string | number>, value: Json | typeof DELETE): Json {
  if (path.length === 0) return value as Json
  const copy = clone(root) as Record<string, Json>
  let node = copy as Record<string | number, Json>
  for (const part of path.slice(0, -1)) node = node[part] as Record<string | number, Json>
  const last = path[path.length - 1]!
  if (value === DELETE) delete node[last]
  else node[last] = value
  return copy
}
const DELETE = Symbol('delete')

function leafName(path: Array<string | number>): string | undefined {
  return [...path].reverse().find((p): p is string => typeof p === 'string')
}

function describePath(path: Array<string | number>): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || '(body)'
}

/** Strings no pattern-, enum- or id-constrained field of this API accepts (each still checked against the schema). */
const JUNK = ['<script>alert(1)</script>', "' OR '1'='1", 'a b', '../../etc/passwd', '%00', '${jndi:x}', '\\', '🙂', ' ', 'é', 'x'.repeat(3), 'TCP ', 'null', '-1', '0x10', '\u202e', '\ufeff']
const CONTROL = ['\u0001', '\u0007', '\u001b', '\u001f', '\u007f', '\n', '\t', '\r']

function acceptsString(schema: Schema, value: string): boolean {
  if (schema.enum) return schema.enum.includes(value)
  if (schema.minLength !== undefined && [...value].length < schema.minLength) return false
  if (schema.maxLength !== undefined && [...value].length > schema.maxLength) return false
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return false
  return true
}

/** Values that `schema` refuses on their own, with a label. `current` is the valid value in the base request. */
function invalidValues(schema: Schema, current: Json | undefined, rng: Rng): Array<[string, Json]> {
  const out: Array<[string, Json]> = []
  const others: Record<string, Json[]> = {
    string: [123, 0, true, null, {}, [], ['x']],
    integer: ['80', '', true, false, null, {}, [], [1]],
    number: ['1', true, null, {}, []],
    boolean: ['true', 'false', 1, 0, null, {}, []],
    array: [{}, 'x', 1, null, true, { 0: 'x', length: 1 }],
    object: [[], 'x', 1, null, true, [{}]],
  }
  const type = schema.type
  if (!type) return out
  for (const v of others[type] ?? []) {
    if (v === null && schema.nullable) continue
    out.push([`wrong type (${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v})`, v])
  }
  if (type === 'string') {
    const base = typeof current === 'string' ? current : 'x'
    if (schema.maxLength !== undefined) {
      out.push(['one character too long', 'x'.repeat(schema.maxLength + 1)])
      out.push(['oversized string', 'y'.repeat(rng.int(schema.maxLength + 2, rng.chance(0.3) ? 400_000 : 5_000))])
    }
    if ((schema.minLength ?? 0) >= 1) out.push(['empty string', ''])
    if (schema.pattern !== undefined || schema.enum !== undefined) {
      const candidates = [...JUNK, ...(schema.enum ?? []).flatMap((e) => [String(e).toLowerCase(), String(e).toUpperCase(), ` ${String(e)}`, `${String(e)}x`])]
      const refused = candidates.filter((c) => !acceptsString(schema, c))
      for (let i = 0; i < 4 && refused.length > 0; i++) out.push([schema.enum ? 'not one of the values' : 'pattern mismatch', rng.pick(refused)])
      for (const control of CONTROL) {
        const variants = [`${base}${control}`, `${control}${base}`, `${base.slice(0, 1)}${control}${base.slice(1)}`]
        const refusedControl = variants.filter((c) => !acceptsString(schema, c))
        if (refusedControl.length > 0) out.push([`control character U+${control.charCodeAt(0).toString(16).padStart(4, '0')}`, rng.pick(refusedControl)])
      }
    }
  }
  if (type === 'integer' || type === 'number') {
    if (type === 'integer') out.push(['fraction', 1.5])
    if (schema.minimum !== undefined) out.push(['below minimum', schema.minimum - 1], ['far below minimum', -1e300])
    if (schema.maximum !== undefined) out.push(['above maximum', schema.maximum + 1], ['far above maximum', 1e300], ['2^53', 2 ** 53])
  }
  if (type === 'array') {
    if ((schema.minItems ?? 0) >= 1) out.push(['empty array', []])
    const item = Array.isArray(current) && current.length > 0 ? current[0]! : undefined
    if (schema.maxItems !== undefined && item !== undefined) {
      out.push(['one item too many', Array.from({ length: schema.maxItems + 1 }, () => clone(item)!)])
      const itemText = serialize(item)
      const count = Math.max(schema.maxItems + 2, Math.min(rng.int(schema.maxItems + 2, 200_000), Math.floor(900_000 / (itemText.length + 1))))
      out.push([`oversized array (${count} items)`, new RawJson(`[${Array.from({ length: count }, () => itemText).join(',')}]`)])
    }
    if (schema.items?.type && item === undefined) {
      for (const [why, bad] of invalidValues(schema.items, undefined, rng).slice(0, 3)) out.push([`item: ${why}`, [bad]])
    }
  }
  return out
}

/** Every schema node of the body with the base request's value there (or undefined when absent). */
function walk(schema: Schema, value: Json | undefined, path: Array<string | number>, visit: (schema: Schema, value: Json | undefined, path: Array<string | number>) => void): void {
  visit(schema, value, path)
  if (schema.type === 'object' && schema.properties && value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RawJson)) {
    for (const [name, child] of Object.entries(schema.properties)) walk(child, (value as Record<string, Json>)[name], [...path, name], visit)
  }
  if (schema.type === 'array' && schema.items && Array.isArray(value)) {
    value.forEach((item, index) => walk(schema.items!, item, [...path, index], visit))
  }
}

/** Where a string value starts in `text` (just after its opening quote), for byte-level corruption. */
function stringPositions(text: string): number[] {
  const positions: number[] = []
  for (let i = text.indexOf('":"'); i >= 0; i = text.indexOf('":"', i + 1)) positions.push(i + 3)
  if (positions.length === 0) for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) positions.push(i + 1)
  return positions
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

for (const dialect of dialects()) {
  describe(`invalid input on every operation [${dialect}]`, () => {
    let server: TestServer
    let reader: DatabaseReader
    let a: Tenant
    let b: Tenant
    let iamToken: string
    /** Tokens named in X-Subject-Token: a spare one of the fuzzer's and the bystander's. */
    let spareToken: string
    let bystanderToken: string
    let operations: DocumentedOperation[]

    before(async () => {
      const url = await freshDatabaseUrl(dialect)
      server = await startServer(url)
      a = await createTenant(server, 'fuzzer')
      b = await createTenant(server, 'bystander')
      const issued = await sendRaw(server.url, a.account, {
        method: 'POST',
        wirePath: '/v3/auth/tokens',
        anonymous: true,
        body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: a.account.userName, password: a.account.password, domain: { name: a.account.domainName } } } }, scope: { project: { id: a.account.projectId } } } }),
      })
      assert.equal(issued.status, 201, issued.text)
      iamToken = String(issued.headers['x-subject-token'])
      const issue = async (tenant: Tenant) => {
        const { account } = tenant
        const res = await sendRaw(server.url, account, {
          method: 'POST',
          wirePath: '/v3/auth/tokens',
          anonymous: true,
          body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: account.userName, password: account.password, domain: { name: account.domainName } } } } } }),
        })
        assert.equal(res.status, 201, res.text)
        return String(res.headers['x-subject-token'])
      }
      spareToken = await issue(a)
      bystanderToken = await issue(b)
      operations = await documentedOperations(server)
      reader = await openReader(dialect, url)
      await settle(reader)
    })
    after(async () => {
      await reader?.close()
      await server?.stop()
    })

    /** One valid request per operation: the generator changes exactly one thing in it. */
    function bases(): Record<string, Base> {
      const project = a.account.projectId
      const service = a.service.id as string
      const endpoint = a.endpoint.id as string
      const page = { limit: '10', offset: '0', sort_key: 'create_at', sort_dir: 'desc' }
      const ports = [{ client_port: 8080, server_port: 80, protocol: 'TCP' }]
      const tags = [{ key: 'fuzz', value: 'v' }]
      const onService = { project_id: project, vpc_endpoint_service_id: service }
      const onEndpoint = { project_id: project, vpc_endpoint_id: endpoint }
      return {
        CreateEndpointService: {
          params: { project_id: project },
          body: { port_id: fixedUuid('fuzz-port'), vpc_id: a.vpcId, server_type: 'VM', ports, service_name: 'fuzz', approval_enabled: true, service_type: 'interface', tcp_proxy: 'close', tags, description: 'fuzz', ip_version: 'ipv4', enable_policy: false },
        },
        ListEndpointService: { params: { project_id: project }, query: { ...page, endpoint_service_name: 'fuzz', id: service, status: 'available', public_border_group: 'x', net_type: 'vxlan' } },
        ListServiceDescribeDetails: { params: { project_id: project }, query: { id: service } },
        ListServicePublicDetails: { params: { project_id: project }, query: { ...page, endpoint_service_name: 'obs', id: service } },
        ListServiceDetails: { params: onService },
        DeleteEndpointService: { params: onService },
        UpdateEndpointService: { params: onService, body: { approval_enabled: true, service_name: 'fuzz', ports, tcp_proxy: 'close', description: 'd' } },
        UpdateEndpointServiceName: { params: onService, body: { endpoint_service_name: 'fuzz' } },
        UpgradeEndpointService: { params: onService, body: { action: 'upgrade', enable_multi_server: true } },
        AddEndpointServiceServerResource: { params: onService, body: { server_resources: [{ resource_id: fixedUuid('fuzz-backend'), availability_zone_id: 'az1' }] } },
        ListServicePermissionsDetails: { params: onService, query: { ...page, permission: `iam:domain::${strangerDomain('x')}` } },
        AddOrRemoveServicePermissions: { params: onService, body: { permissions: [`iam:domain::${strangerDomain('fuzz')}`], permission_type: 'domainId', action: 'add' } },
        BatchAddEndpointServicePermissions: { params: onService, body: { permissions: [{ permission: `iam:domain::${strangerDomain('fuzz')}`, description: 'd' }], permission_type: 'domainId' } },
        BatchRemoveEndpointServicePermissions: { params: onService, body: { permissions: [{ id: a.records[0]!.id as string }] } },
        UpdateEndpointServicePermissionDesc: { params: { ...onService, permission_id: a.records[0]!.id as string }, body: { permission: { description: 'd' } } },
        ListServiceConnections: { params: onService, query: { ...page, id: endpoint, marker_id: String(a.endpoint.marker_id), status: 'pendingAcceptance' } },
        AcceptOrRejectEndpoint: { params: onService, body: { action: 'receive', endpoints: [endpoint] } },
        UpdateEndpointConnectionsDesc: { params: onService, body: { connections: [{ id: endpoint, description: 'd' }] } },
        CreateEndpoint: {
          params: { project_id: project },
          body: { endpoint_service_id: service, vpc_id: a.vpcId, subnet_id: a.subnetId, port_ip: '192.168.7.7', enable_dns: true, whitelist: ['10.0.0.0/8'], enable_whitelist: true, tags, description: 'd', ip_version: 'ipv4' },
        },
        ListEndpoints: { params: { project_id: project }, query: { ...page, endpoint_service_name: 'fuzz', vpc_id: a.vpcId, id: endpoint, public_border_group: 'x' } },
        ListEndpointInfoDetails: { params: onEndpoint },
        DeleteEndpoint: { params: onEndpoint },
        UpdateEndpointWhite: { params: onEndpoint, body: { whitelist: ['10.0.0.1'], enable_whitelist: true } },
        UpdateEndpointPolicy: {
          params: { project_id: project, vpc_endpoint_id: a.gatewayEndpoint.id as string },
          body: { policy_statement: [{ Effect: 'Allow', Action: ['obs:object:GetObject'], Resource: ['obs:*:*:object:*'], Sid: 's' }] },
        },
        DeleteEndpointPolicy: { params: onEndpoint },
        UpdateEndpointRoutetable: { params: { project_id: project, vpc_endpoint_id: a.gatewayEndpoint.id as string }, body: { routetables: [fixedUuid('fuzz-rt')] } },
        UpgradeEndpoint: { params: onEndpoint, body: { action: 'start' } },
        BatchAddOrRemoveResourceInstance: { params: { project_id: project, resource_type: 'endpoint_service', resource_id: service }, body: { action: 'create', tags } },
        ListQueryProjectResourceTags: { params: { project_id: project, resource_type: 'endpoint' } },
        ListResourceInstances: {
          params: { project_id: project, resource_type: 'endpoint_service' },
          body: { action: 'filter', tags: [{ key: 'k', values: ['v'] }], tags_any: [], not_tags: [], not_tags_any: [], sys_tags: [], without_any_tag: false, matches: [{ key: 'resource_name', value: 'x' }], limit: '10', offset: '0' },
        },
        ListQuotaDetails: { params: { project_id: project }, query: { type: 'endpoint' } },
        KeystoneCreateUserTokenByPassword: {
          params: {},
          body: { auth: { identity: { methods: ['password'], password: { user: { name: a.account.userName, password: a.account.password, domain: { name: a.account.domainName } } } }, scope: { project: { id: project } } } },
        },
        KeystoneValidateToken: { params: {}, headers: { 'x-subject-token': spareToken } },
        KeystoneRevokeToken: { params: {}, headers: { 'x-subject-token': spareToken } },
        KeystoneListProjects: { params: {}, query: { name: 'x' } },
        KeystoneListAuthProjects: { params: {}, query: { name: 'x' } },
      }
    }

    /** A foreign id (the bystander's) of the kind a path parameter names. */
    function foreignId(param: string, op: string): string {
      switch (param) {
        case 'project_id':
          return b.account.projectId
        case 'vpc_endpoint_service_id':
          return b.service.id
        case 'vpc_endpoint_id':
          return b.endpoint.id
        case 'permission_id':
          return b.records[0]!.id
        case 'resource_id':
          return op === 'BatchAddOrRemoveResourceInstance' ? b.service.id : b.endpoint.id
        default:
          return 'endpoint'
      }
    }

    function generate(rng: Rng): Case[] {
      const all = bases()
      const cases: Case[] = []
      for (const op of operations) {
        const base = all[op.operationId]
        assert.ok(base, `the generator has a valid base request for ${op.operationId}`)
        const encode = (values: Record<string, string>) => op.path.replace(/\{([a-z_]+)\}/g, (_, n: string) => encodeURIComponent(values[n]!))
        const decoded = (values: Record<string, string>) => op.path.replace(/\{([a-z_]+)\}/g, (_, n: string) => values[n]!)
        const baseBody = base.body === undefined ? undefined : serialize(base.body)
        const request = (over: Partial<RawRequest>): RawRequest => ({
          method: op.method,
          wirePath: encode(base.params),
          signPath: decoded(base.params),
          query: base.query,
          ...(base.headers ? { headers: base.headers } : {}),
          ...(baseBody !== undefined ? { body: baseBody } : {}),
          ...over,
        })
        const add = (kind: string, what: string, req: RawRequest, extra: Partial<Case> = {}) => cases.push({ op: op.operationId, kind, what, request: req, ...extra })

        // ---- path parameters
        for (const param of op.pathParams) {
          const isLast = op.path.endsWith(`{${param}}`)
          const segments: Array<{ kind: string; wire: string; sign?: string; token?: boolean; field?: boolean }> = [
            { kind: 'nonexistent id', wire: fixedUuid(`nonexistent:${rng.next()}`).replace(/-/g, '') },
            { kind: 'nonexistent uuid', wire: fixedUuid(`nonexistent:${rng.next()}`) },
            ...(param === 'resource_type' ? [] : [{ kind: "another account's id", wire: foreignId(param, op.operationId) }]),
            { kind: 'id one character too long', wire: 'a'.repeat(65), field: true },
            { kind: 'overlong id', wire: 'b'.repeat(rng.int(66, 256)), field: true },
            { kind: 'id longer than the router takes', wire: 'c'.repeat(rng.int(257, 12_000)) },
            { kind: 'NUL in id', wire: 'ab%00cd', sign: 'ab\u0000cd', field: true },
            { kind: 'control character in id', wire: `x${rng.pick(['%01', '%08', '%1B', '%1F', '%7F'])}y`, field: true },
            { kind: 'newline in id', wire: 'x%0Ay', token: true, field: true },
            { kind: 'non-UTF-8 id', wire: rng.pick(['a%FFb', '%C0%80', '%ED%A0%80', '%E2%82', '%80', '%F8%88%80%80%80']) },
            { kind: 'invalid percent-encoding', wire: rng.pick(['%ZZ', '%', 'a%4', '%%32%30', '%u0041']) },
            { kind: 'dot segment', wire: '..' },
            { kind: 'single dot segment', wire: '.' },
            { kind: 'encoded dot segment', wire: '%2E%2E', sign: '..' },
            { kind: 'traversal', wire: rng.pick(['../..', '../../v1', '..%2F..', '..%5C..', '.%2E/x']) },
            { kind: 'encoded slash', wire: rng.pick(['a%2Fb', '%2F', `${foreignId(param, op.operationId)}%2F..`]), token: true },
            { kind: 'space and quotes', wire: rng.pick(['a%20b', '%22%3E%3Cscript%3E', "%27%20OR%201%3D1--"]), token: true },
            { kind: 'non-ASCII id', wire: rng.pick(['%C3%A9', '%F0%9F%99%82', '%E2%80%AE']), sign: undefined },
            { kind: 'SQL-ish id', wire: rng.pick(["1'or'1'='1", '1;select', '*', '%25', '_']) },
          ]
          if (param === 'resource_type') {
            segments.push(
              { kind: 'resource_type not a type', wire: rng.pick(['endpoints', 'ENDPOINT', 'endpoint_services', 'service', 'Endpoint_Service', 'vpc-endpoint']), field: true },
              { kind: 'resource_type too long', wire: 'endpoint'.repeat(rng.int(9, 30)), field: true },
            )
          }
          if (!isLast || op.method !== 'GET') segments.push({ kind: 'empty segment', wire: '' })
          if (rng.chance(0.25)) segments.push({ kind: 'request line over 16 KiB', wire: 'd'.repeat(rng.int(17_000, 40_000)) })
          for (const seg of segments) {
            const values = { ...base.params, [param]: '\u0000PLACEHOLDER\u0000' }
            const wirePath = encode(values).replace(encodeURIComponent('\u0000PLACEHOLDER\u0000'), seg.wire)
            let sign = seg.sign
            if (sign === undefined) {
              try {
                sign = decodeURIComponent(seg.wire)
              } catch {
                sign = seg.wire
              }
            }
            const signPath = decoded(values).replace('\u0000PLACEHOLDER\u0000', sign)
            // The official signer parses the URL first, which escapes these (and splits at `/`, cuts at `#`
            // and `?`); it then encodes the escapes again. Such paths authenticate with a token instead.
            const token = seg.token || /%2f/i.test(seg.wire) || /[\t\n\r "'<>\\^`{|}#?]/.test(sign)
            // The project is checked against the credential before any validation: 403, which names the project.
            const field = seg.field && param !== 'project_id' ? param : undefined
            add(`path: ${seg.kind}`, `${param}=${seg.wire.slice(0, 40)}`, request({ wirePath, signPath, ...(token ? { token: iamToken } : {}) }), field ? { field } : {})
          }
        }
        if (op.path.startsWith('/v1/') || op.path.startsWith('/v2/')) {
          const version = rng.pick(['/v4/', '/V1/', '/v0/', '/v1.0/', '/v%32%30/', '/vpcep/v1/'])
          const wirePath = encode(base.params).replace(/^\/v[12]\//, version)
          add('path: wrong version', version, request({ wirePath, signPath: wirePath }))
        }

        // ---- headers the operation reads
        for (const name of Object.keys(base.headers ?? {})) {
          const others = Object.fromEntries(Object.entries(base.headers!).filter(([k]) => k !== name))
          const variants: Array<[string, string | undefined]> = [
            ['missing', undefined],
            ['empty', ''],
            ['oversized', 't'.repeat(rng.int(2049, 8000))],
            ['unknown value', `vpcep1.${fixedUuid(`token:${rng.next()}`)}`],
            ["another account's", bystanderToken],
            ['tab inside', 'a\tb'],
          ]
          for (const [kind, value] of variants) {
            add(`header: ${kind}`, name, request({ headers: value === undefined ? others : { ...others, [name]: value } }))
          }
        }

        // ---- query parameters
        for (const [name, schema] of Object.entries(op.query) as Array<[string, Schema]>) {
          const values: Array<[string, string | string[], boolean?]> = []
          if (schema.type === 'integer') {
            const ints = ['', ' 1', '1 ', '+1', '1.5', '1.0', 'true', '0x10', '1e3', 'Infinity', 'NaN', '٣', '１', '9'.repeat(rng.int(20, 400)), '-0.0']
            for (const v of ints) values.push([`not an integer: ${JSON.stringify(v).slice(0, 20)}`, v])
            if (schema.minimum !== undefined) values.push(['below minimum', String(schema.minimum - 1)], ['far below minimum', String(-rng.int(2, 2 ** 31))])
            if (schema.maximum !== undefined) values.push(['above maximum', String(schema.maximum + 1)], ['2^31', '2147483648'], ['2^63', '9223372036854775808'])
          }
          if (schema.type === 'string') {
            if (schema.maxLength !== undefined) values.push(['one character too long', 'q'.repeat(schema.maxLength + 1)], ['oversized', 'q'.repeat(rng.int(schema.maxLength + 2, 6000))])
            if ((schema.minLength ?? 0) >= 1) values.push(['empty', ''])
            if (schema.enum) {
              for (const v of [...JUNK, ...schema.enum.flatMap((e) => [String(e).toUpperCase(), ` ${String(e)}`, `${String(e)};drop`])].filter((c) => !schema.enum!.includes(c)).slice(0, 6)) values.push(['not one of the values', v])
              values.push(['empty', ''])
            }
          }
          const valid = base.query?.[name] ?? 'x'
          for (const control of ['\u0000', rng.pick(CONTROL)]) values.push([`control character U+${control.charCodeAt(0).toString(16).padStart(4, '0')}`, `${valid}${control}`])
          values.push(['given twice', [valid, valid]])
          for (const [kind, value] of values) {
            add(`query: ${kind}`, `${name}=${JSON.stringify(value).slice(0, 40)}`, request({ query: { ...(base.query ?? {}), [name]: value } }), { field: name })
          }
          // Not UTF-8, or not percent-encoding at all: no signer can sign these.
          for (const raw of ['%FF', '%C0%80', '%ED%A0%80', '%ZZ', '%']) {
            const others = new URLSearchParams(Object.entries(base.query ?? {}).filter(([k]) => k !== name)).toString()
            add('query: not UTF-8', `${name}=${raw}`, request({ wireQuery: `${others ? `${others}&` : ''}${name}=${raw}`, query: base.query }), { unsignable: true })
          }
        }
        if (op.method === 'GET' && Object.keys(op.query).length > 0) {
          add('query: control character in a name', 'a\\u0001=1', request({ query: { ...(base.query ?? {}), 'a\u0001b': '1' } }))
        }

        // ---- body fields, from the operation's own schema
        if (op.body && base.body !== undefined) {
          const schema = op.body as Schema
          walk(schema, base.body, [], (node, value, path) => {
            for (const [why, bad] of invalidValues(node, value, rng)) {
              add(`body: ${why}`, describePath(path), request({ body: serialize(setAt(base.body, path, bad)) }), leafName(path) ? { field: leafName(path) } : {})
              // Unknown fields are accepted and ignored (docs/decisions.md), but never hide a bad known one.
              const withBad = setAt(base.body, path, bad)
              if (path.length > 0 && withBad && typeof withBad === 'object' && !Array.isArray(withBad) && !(withBad instanceof RawJson) && rng.chance(0.25)) {
                add(`body: ${why} beside an unknown field`, describePath(path), request({ body: serialize({ x_unknown: rng.pick([1, 'x', null, {}, true]), ...(withBad as Record<string, Json>) }) }), leafName(path) ? { field: leafName(path) } : {})
              }
            }
            if (node.type === 'object' && value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RawJson)) {
              for (const required of node.required ?? []) {
                if (required in value) add('body: missing required field', describePath([...path, required]), request({ body: serialize(setAt(base.body, [...path, required], DELETE)) }), { field: required })
              }
            }
          })
          // Deep nesting in place of one field, and as the whole body.
          const fields = Object.keys(base.body as Record<string, Json>)
          for (const depth of [65, rng.int(66, 2000), 10_000]) {
            const field = rng.pick(fields)
            const nested = rng.chance(0.5) ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
            add('body: deep nesting', `${field} nested ${depth} deep`, request({ body: serialize(setAt(base.body, [field], new RawJson(nested))) }))
          }
          // Duplicate keys: at the top, in a nested object, and spelled with escapes.
          const objectPaths: Array<Array<string | number>> = []
          walk(schema, base.body, [], (_node, value, path) => {
            if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RawJson) && Object.keys(value).length > 0) objectPaths.push(path)
          })
          for (const at of [[], rng.pick(objectPaths), rng.pick(objectPaths)]) {
            for (const escaped of [false, true]) add('body: duplicate key', `${describePath(at)} ${escaped ? '(escaped)' : ''}`, request({ body: serialize(base.body, { at, escaped, other: rng.chance(0.5) }) }))
          }
          // Top-level values that are not an object.
          for (const text of ['null', '[]', '"x"', '123', 'true', '[{}]']) add('body: not an object', text, request({ body: text }))
          if (op.operationId !== 'UpdateEndpointServiceName' && op.operationId !== 'UpgradeEndpointService') {
            add('body: none', 'no body', request({ body: undefined }))
          }
        }
        if (op.method !== 'GET') {
          // Broken JSON and bodies that are not JSON at all; also on DELETE, which parses bodies too.
          const text = baseBody ?? '{"a":1}'
          const broken = new Set<string>()
          for (let i = 0; i < 3; i++) broken.add(text.slice(0, rng.int(1, Math.max(1, text.length - 1))))
          for (let i = 0; i < 3; i++) {
            const at = rng.int(0, text.length - 1)
            broken.add(`${text.slice(0, at)}${rng.pick(['{', '}', '[', ']', '"', ',', ':', "'", '\\', 'x'])}${text.slice(at + 1)}`)
          }
          for (const variant of [
            text.replace(/\}$/, ',}'),
            text.replace(/"/g, "'"),
            `/* c */${text}`,
            text.replace(/\}$/, ',"x":NaN}'),
            text.replace(/\}$/, ',"x":undefined}'),
            `${text}${text}`,
            `${text} x`,
            `\ufeff${text}`,
            '   ',
            '{',
            '{"a":1',
            '{a:1}',
            `[${'1,'.repeat(50)}]`,
          ]) broken.add(variant)
          for (const body of [...broken].filter((t) => !isJson(t))) add('body: malformed JSON', body.slice(0, 40), request({ body }))
          // Content types other than JSON.
          for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=z', 'text/json', 'application/jsonx', 'application/json-seq', 'application/javascript', '', 'json']) {
            if (!JSON_TYPE.test(type)) add('body: wrong content type', type || '(empty)', request({ body: text, headers: { 'content-type': type } }))
          }
          // Bytes that are not UTF-8, raw control characters, NUL and lone surrogates inside a string.
          const positions = stringPositions(text)
          const bytes: Array<[string, number[]]> = [
            ['0xFF', [0xff]],
            ['overlong NUL', [0xc0, 0x80]],
            ['CESU surrogate', [0xed, 0xa0, 0x80]],
            ['truncated sequence', [0xe2, 0x82]],
            ['5-byte form', [0xf8, 0x88, 0x80, 0x80, 0x80]],
            ['lone continuation', [0x80]],
            ['Latin-1 é', [0xe9]],
          ]
          for (const [label, seq] of bytes) {
            const at = positions.length ? rng.pick(positions) : 1
            const buffer = Buffer.concat([Buffer.from(text.slice(0, at), 'utf8'), Buffer.from(seq), Buffer.from(text.slice(at), 'utf8')])
            add('body: not UTF-8', label, request({ body: buffer }))
          }
          for (const control of ['\u0000', '\u0001', '\u0008', '\u000b', '\u001f']) {
            const at = positions.length ? rng.pick(positions) : 1
            add('body: raw control character', `U+${control.charCodeAt(0).toString(16).padStart(4, '0')}`, request({ body: `${text.slice(0, at)}${control}${text.slice(at)}` }))
          }
          for (const escape of ['\\u0000', 'a\\u0000', '\\ud800', '\\udc00x', '\\ud800\\u0041', '\\udbff']) {
            const at = positions.length ? rng.pick(positions) : 1
            add('body: unstorable escape', escape, request({ body: `${text.slice(0, at)}${escape}${text.slice(at)}` }))
          }
          add('body: deep nesting', '10,000 nested arrays', request({ body: `${'['.repeat(10_000)}${']'.repeat(10_000)}` }))
          add('body: deep nesting', '10,000 nested objects', request({ body: `${'{"a":'.repeat(10_000)}null${'}'.repeat(10_000)}` }))
          add('body: deep nesting', 'unbalanced 100,000 [', request({ body: '['.repeat(100_000) }))
          if (rng.chance(0.3)) add('body: over 1 MiB', '1 MiB string', request({ body: `{"description":"${'z'.repeat(1024 * 1024)}"}` }))
        }
      }
      return cases
    }

    function judge(c: Case, res: HttpResult): string | undefined {
      if (res.status >= 500) return `${res.status} (5xx)`
      if (res.status < 400) return `${res.status}: accepted`
      const body = res.json
      if (!body || typeof body !== 'object') return `${res.status} without a JSON error body: ${res.text.slice(0, 120)}`
      const { error_code: code, error_msg: message } = body as { error_code?: unknown; error_msg?: unknown }
      if (typeof code !== 'string') return `${res.status} with error_code ${String(code)}`
      if (typeof message !== 'string' || message.length === 0) return `${res.status} ${code} with an empty error_msg`
      if (body.error?.code !== code || body.error?.message !== message) return `${res.status} ${code}: error.code/message differ from error_code/error_msg`
      if (res.status === 401 && !(c.unsignable && /percent-encoded/i.test(message))) return `401 ${code}: ${message}`
      const catalog = CATALOG.find((e) => e.code === code && message.startsWith(e.message))
      if (!catalog) return `${res.status} ${code}: "${message.slice(0, 120)}" does not start with the catalog message`
      if (message.length <= catalog.message.length + 1) return `${res.status} ${code}: "${message}" names nothing beyond the catalog message`
      if (c.field && !message.includes(c.field)) return `${res.status} ${code}: "${message.slice(0, 160)}" does not name ${c.field}`
      return undefined
    }

    it('answers every invalid request with a 4xx EndPoint error naming the problem, and changes nothing', async (t) => {
      const rng = new Rng(SEED)
      const cases = generate(rng)
      // Deterministic order, mixed so that each batch (checked for table changes) spans many operations.
      for (let i = cases.length - 1; i > 0; i--) {
        const j = rng.int(0, i)
        ;[cases[i], cases[j]] = [cases[j]!, cases[i]!]
      }
      const covered = new Set(cases.map((c) => c.op))
      assert.deepEqual(
        operations.map((o) => o.operationId).filter((id) => !covered.has(id)),
        [],
        'every documented /v1, /v2, /v3 operation gets invalid requests',
      )

      const baseline = await reader.state()
      const failures: string[] = []
      const byKind = new Map<string, number>()
      const timing = new Map<string, [number, number]>()
      const started = Date.now()
      let tried = 0
      for (let from = 0; from < cases.length; from += BATCH) {
        const batch = cases.slice(from, from + BATCH)
        await pool(batch, CONCURRENCY, async (c) => {
          let res: HttpResult
          const t0 = performance.now()
          try {
            res = await sendRaw(server.url, a.account, c.request)
            if (process.env.FUZZ_PROFILE) timing.set(c.kind, [(timing.get(c.kind)?.[0] ?? 0) + performance.now() - t0, (timing.get(c.kind)?.[1] ?? 0) + 1])
          } catch (error) {
            failures.push(`${c.op} [${c.kind}] ${c.what}: connection error ${(error as Error).message}`)
            return
          }
          tried++
          byKind.set(c.kind.split(':')[0]!, (byKind.get(c.kind.split(':')[0]!) ?? 0) + 1)
          const problem = judge(c, res)
          if (problem) failures.push(`${c.op} [${c.kind}] ${c.what}: ${problem}`)
        })
        const changed = changedTables(baseline, await reader.state())
        if (changed.length > 0) {
          failures.push(`tables changed by requests ${from}–${from + batch.length - 1}: ${changed.join(', ')}; the batch held ${batch.map((c) => `${c.op} [${c.kind}] ${c.what}`).join(' | ').slice(0, 4000)}`)
          break
        }
      }
      const elapsed = Date.now() - started
      if (process.env.FUZZ_PROFILE) console.log([...timing].sort((x, y) => y[1][0] - x[1][0]).slice(0, 25).map(([k, [ms, n]]) => `${k}: ${n} req ${Math.round(ms)} ms`).join('\n'))
      const summary = `seed ${SEED}: ${tried} of ${cases.length} invalid requests tried in ${elapsed} ms over ${covered.size} operations (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}); ${failures.length} failed`
      console.log(`[${dialect}] ${summary}`)
      t.diagnostic(summary)
      assert.deepEqual(failures.slice(0, 40), [], `${failures.length} invalid requests were not refused properly (seed ${SEED})`)
      assert.equal(tried, cases.length, 'every generated request was sent and answered')
      assert.deepEqual(changedTables(baseline, await reader.state()), [], 'no table but tokens changed')

      // Still serving: a valid read answers as before.
      const list = await sendRaw(server.url, a.account, { method: 'GET', wirePath: `/v1/${a.account.projectId}/vpc-endpoint-services` })
      assert.equal(list.status, 200, list.text)
      assert.equal(list.json.total_count, 1)
    })
  })
}
