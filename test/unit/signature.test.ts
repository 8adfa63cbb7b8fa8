import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import querystring from 'node:querystring'
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js'
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js'
import {
  EMPTY_BODY_SHA256,
  canonicalQueryFromRaw,
  canonicalUri,
  formatSdkDate,
  parseAuthorization,
  parseSdkDate,
  sha256Hex,
  signatureOf,
  stringToSign,
} from '../../src/identity/signature.ts'

// Test vectors of the digest §2.2 (computed there with the official Node.js signer).
const AK = 'AKEXAMPLE0000000000'
const SK = 'SKEXAMPLEsecretkey0000000000000000000000'
const PROJECT = '0123456789abcdef0123456789abcdef'
const HOST = '127.0.0.1:8080'
const DATE = '20240102T030405Z'
const SIGNED = ['content-type', 'host', 'x-project-id', 'x-sdk-date']
const HEADERS = { 'content-type': 'application/json', host: HOST, 'x-project-id': PROJECT, 'x-sdk-date': DATE }

interface Vector {
  name: string
  method: string
  /** Path and query exactly as on the request line. */
  rawUrl: string
  body?: string
  signature: string
}

const VECTORS: Vector[] = [
  {
    name: 'POST connections/action with a body',
    method: 'POST',
    rawUrl: `/v1/${PROJECT}/vpc-endpoint-services/4189d3c2-8882-4871-a3c2-d380272eed88/connections/action`,
    body: '{"action":"receive","endpoints":["705290f3-0d00-41f2-aedc-71f09844e879"]}',
    signature: 'e1d4c6ee19f7a64045d710345c285f28c97cb4664f23aa5714f561c4e609143c',
  },
  {
    name: 'GET with a query in wire (querystring) form',
    method: 'GET',
    rawUrl: `/v1/${PROJECT}/vpc-endpoint-services?endpoint_service_name=a%20b*(x)&sort_dir=asc&limit=10`,
    signature: '8dd994beff37dcf90836b8e3979f28a038f8ae4c2fcaf0869fd1b52ad0228e83',
  },
  { name: 'GET /', method: 'GET', rawUrl: '/', signature: 'e24e270ec85e03e817576b4e5c5ddd94bab9a08f6a8744fc67b3579267fed1e7' },
  {
    name: 'DELETE an endpoint',
    method: 'DELETE',
    rawUrl: `/v1/${PROJECT}/vpc-endpoints/4189d3c2-8882-4871-a3c2-d380272eed83`,
    signature: 'cb418ada51bc0712b01c01a055b01d10b30117523b5250f49e30b3ed55af334f',
  },
]

function split(rawUrl: string): { rawPath: string; rawQuery: string } {
  const q = rawUrl.indexOf('?')
  return q < 0 ? { rawPath: rawUrl, rawQuery: '' } : { rawPath: rawUrl.slice(0, q), rawQuery: rawUrl.slice(q + 1) }
}

function ourSignature(input: { method: string; rawUrl: string; body?: string; sk: string; signedHeaders: string[]; headerValues: Record<string, string>; date: string }): string {
  const { rawPath, rawQuery } = split(input.rawUrl)
  const toSign = stringToSign(
    {
      method: input.method,
      rawPath,
      canonicalQuery: canonicalQueryFromRaw(rawQuery),
      signedHeaders: input.signedHeaders,
      headerValues: input.headerValues,
      payloadHash: input.body ? sha256Hex(input.body) : EMPTY_BODY_SHA256,
    },
    input.date,
  )
  return signatureOf(input.sk, toSign)
}

describe('SDK-HMAC-SHA256 against the digest test vectors', () => {
  for (const vector of VECTORS) {
    it(vector.name, () => {
      const signature = ourSignature({ ...vector, sk: SK, signedHeaders: SIGNED, headerValues: HEADERS, date: DATE })
      assert.equal(signature, vector.signature)
    })
  }

  it('has the documented intermediate values for the POST vector', () => {
    const post = VECTORS[0]!
    const { rawPath } = split(post.rawUrl)
    assert.ok(canonicalUri(rawPath).endsWith('/connections/action/'))
    assert.equal(canonicalQueryFromRaw(''), '')
    assert.equal(sha256Hex(post.body!), '399a9eaba616600d3be415b6ff113b46cf2eec11ad7a7454d156abfa2b413c5b')
    const toSign = stringToSign({ method: 'POST', rawPath, canonicalQuery: '', signedHeaders: SIGNED, headerValues: HEADERS, payloadHash: sha256Hex(post.body!) }, DATE)
    assert.equal(toSign, `SDK-HMAC-SHA256\n${DATE}\na69472450e11615b28b8c767c0439db17c11fa44dabe17bde3fd9f60bdf8f29b`)
  })

  it('has the documented canonical query for the GET vector (sorted, strictly encoded)', () => {
    const { rawQuery } = split(VECTORS[1]!.rawUrl)
    assert.equal(canonicalQueryFromRaw(rawQuery), 'endpoint_service_name=a%20b%2A%28x%29&limit=10&sort_dir=asc')
  })

  it('canonicalises URIs with a trailing slash', () => {
    assert.equal(canonicalUri('/'), '/')
    assert.equal(canonicalUri('/v1/p/vpc-endpoints'), '/v1/p/vpc-endpoints/')
    assert.equal(canonicalUri('/v1/p/vpc-endpoints/'), '/v1/p/vpc-endpoints/')
    assert.equal(canonicalUri('/a%2a/b*'), '/a%2A/b%2A/')
  })

  it('the official signer itself reproduces the vectors (sanity check of the harness)', () => {
    const credential = new BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT)
    const get = AKSKSigner.sign(
      {
        endpoint: `http://${HOST}/v1/${PROJECT}/vpc-endpoint-services`,
        method: 'GET',
        headers: { 'content-type': 'application/json', 'X-Project-Id': PROJECT, 'X-Sdk-Date': DATE },
        queryParams: { endpoint_service_name: 'a b*(x)', sort_dir: 'asc', limit: 10 },
      },
      credential,
    ) as Record<string, string>
    assert.equal(get.Authorization, `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=${VECTORS[1]!.signature}`)
    assert.equal(get.host, HOST)
  })
})

describe('SDK-HMAC-SHA256 cross-checked with the official AKSKSigner', () => {
  const credential = new BasicCredentials().withAk('AKCROSSCHECK00000000').withSk('a-secret/with+odd=chars~0123456789abcdefghij').withProjectId(PROJECT)

  interface Case {
    name: string
    method: string
    /** Path segments, unencoded (the signer sees them raw, the wire percent-encoded). */
    segments: string[]
    query?: Record<string, string | number | string[]>
    data?: unknown
    extraHeaders?: Record<string, string>
  }

  /** Signs with AKSKSigner, then recomputes from the wire form (encoded path, querystring query, JSON body) with our code. */
  function crossCheck(c: Case, date = '20250615T221133Z'): { theirs: string; ours: string } {
    const rawPathUnencoded = `/${c.segments.join('/')}`
    const wirePath = `/${c.segments.map((s) => encodeURIComponent(s)).join('/')}`
    const headers: Record<string, string> = { 'content-type': 'application/json', 'X-Project-Id': PROJECT, 'X-Sdk-Date': date, ...(c.extraHeaders ?? {}) }
    const queryForSigner = Object.fromEntries(Object.entries(c.query ?? {}).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]))
    const request: Record<string, unknown> = { endpoint: `http://${HOST}${rawPathUnencoded}`, method: c.method, headers, queryParams: queryForSigner }
    if (c.data !== undefined) request.data = c.data
    const signed = AKSKSigner.sign(request, credential) as Record<string, string>
    const parsed = parseAuthorization(signed.Authorization!)
    assert.ok(parsed, `parsable Authorization: ${signed.Authorization}`)
    assert.equal(parsed.accessKey, 'AKCROSSCHECK00000000')
    const headerValues: Record<string, string> = {}
    for (const [name, value] of Object.entries(signed)) headerValues[name.toLowerCase()] = value
    const qs = querystring.stringify(c.query ?? {})
    const ours = ourSignature({
      method: c.method,
      rawUrl: `${wirePath}${qs ? `?${qs}` : ''}`,
      body: c.data !== undefined ? JSON.stringify(c.data) : undefined,
      sk: 'a-secret/with+odd=chars~0123456789abcdefghij',
      signedHeaders: parsed.signedHeaders,
      headerValues,
      date,
    })
    return { theirs: parsed.signature, ours }
  }

  const cases: Case[] = [
    { name: 'unicode path segment', method: 'GET', segments: ['v1', PROJECT, 'vpc-endpoint-services', 'dienst-ünï-名前-😀'] },
    {
      name: "query with *()!' and spaces",
      method: 'GET',
      segments: ['v1', PROJECT, 'vpc-endpoint-services'],
      query: { endpoint_service_name: "it's (a) *big* deal!", sort_key: 'create_at', offset: 0, limit: 1000 },
    },
    {
      name: 'query with repeated keys (unreserved values)',
      method: 'GET',
      segments: ['v1', PROJECT, 'vpc-endpoints'],
      query: { id: ['zeta', 'alpha', 'Mid value', 'b*c'], vpc_id: 'x', a: '' },
    },
    {
      name: 'POST with a unicode body and an extra signed header',
      method: 'POST',
      segments: ['v1', PROJECT, 'vpc-endpoint-services', 'abc', 'permissions', 'batch-create'],
      data: { permissions: [{ permission: 'iam:domain::abc', description: '描述 «x» \u2028 "q"' }] },
      extraHeaders: { 'X-Security-Token': 'tok/en+==' },
    },
    { name: 'DELETE without a body', method: 'DELETE', segments: ['v1', PROJECT, 'vpc-endpoints', '4189d3c2-8882-4871-a3c2-d380272eed83'] },
  ]

  for (const c of cases) {
    it(c.name, () => {
      const { theirs, ours } = crossCheck(c)
      assert.equal(ours, theirs)
    })
  }

  // The signer sorts query names and repeated values as raw (decoded) strings before encoding them;
  // characters such as `/`, `:` and `é` sort differently once percent-encoded.
  it('orders repeated query values as the signer does (raw order, not encoded order)', () => {
    const values = crossCheck({ name: 'values', method: 'GET', segments: ['v1', PROJECT, 'vpc-endpoints'], query: { tag: ['a:b', 'a-b', 'a/b', 'aé'] } })
    assert.equal(values.ours, values.theirs, 'repeated values containing : / é')
  })

  it('orders query names as the signer does (raw order, not encoded order)', () => {
    const names = crossCheck({ name: 'names', method: 'GET', segments: ['v1', PROJECT, 'vpc-endpoints'], query: { 'k-1': '1', 'k:1': '2' } })
    assert.equal(names.ours, names.theirs, 'names containing - and :')
  })

  it('parses and formats X-Sdk-Date', () => {
    assert.deepEqual(parseSdkDate('20240102T030405Z'), new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))
    assert.equal(formatSdkDate(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))), '20240102T030405Z')
    assert.equal(parseSdkDate('2024-01-02T03:04:05Z'), undefined)
  })
})
