import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import querystring from 'node:querystring'
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js'
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js'
import { httpRequest, type HttpResult } from './http.ts'

/*
 * Raw HTTP requests signed with the OFFICIAL SDK-core signer (AKSKSigner), so tests control every byte
 * and header while the signature is exactly what the Node SDK computes.
 */

export interface SigningKey {
  accessKey: string
  secretKey: string
  /** Sent (and signed) as X-Project-Id unless `headers` overrides or `projectHeader` is false. */
  projectId: string
}

export type QueryValue = string | number | Array<string | number>

export interface SignedRequestOptions {
  method?: string
  /** Path as it goes on the request line (already percent-encoded where needed). */
  path: string
  query?: Record<string, QueryValue>
  /** Body object: hashed as JSON.stringify(body) by the signer and sent as exactly that. */
  body?: unknown
  /** What is actually sent, when it must differ from JSON.stringify(body) (tamper tests). */
  sendBody?: string | Buffer
  /**
   * A raw body to sign and send as is (e.g. malformed JSON): the signer cannot hash a non-JSON body
   * itself, so its SHA-256 goes in the (signed) X-Sdk-Content-Sha256 header, as the protocol allows.
   */
  rawBody?: string | Buffer
  /** Extra headers, signed. `content-type` defaults to application/json. */
  headers?: Record<string, string>
  /** Headers added after signing (not signed). */
  unsignedHeaders?: Record<string, string>
  /** Header names (any case) removed after signing. */
  dropHeaders?: string[]
  /** Signing time; default now. */
  date?: Date
  /** Set false to send no X-Project-Id. */
  projectHeader?: boolean
}

export function sdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

/** Answers the headers the official signer produces for the request (Authorization, X-Sdk-Date, host included). */
export function signHeaders(baseUrl: string, key: SigningKey, options: SignedRequestOptions): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (options.projectHeader !== false) headers['X-Project-Id'] = key.projectId
  Object.assign(headers, options.headers ?? {})
  if (options.rawBody !== undefined) headers['X-Sdk-Content-Sha256'] = createHash('sha256').update(options.rawBody).digest('hex')
  headers['X-Sdk-Date'] = sdkDate(options.date ?? new Date())
  const credential = new BasicCredentials().withAk(key.accessKey).withSk(key.secretKey).withProjectId(key.projectId)
  // The signer sorts array query values in place: give it copies.
  const queryParams = Object.fromEntries(Object.entries(options.query ?? {}).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]))
  const request: Record<string, unknown> = { endpoint: `${baseUrl}${options.path}`, method: options.method ?? 'GET', headers, queryParams }
  if (options.body !== undefined) request.data = options.body
  return AKSKSigner.sign(request, credential) as Record<string, string>
}

/** Signs with AKSKSigner and sends with node:http; the query goes on the wire as querystring.stringify makes it. */
export function signedRequest(baseUrl: string, key: SigningKey, options: SignedRequestOptions): Promise<HttpResult> {
  const signed = signHeaders(baseUrl, key, options)
  const drop = new Set((options.dropHeaders ?? []).map((h) => h.toLowerCase()))
  const headers = Object.fromEntries(Object.entries({ ...signed, ...(options.unsignedHeaders ?? {}) }).filter(([name]) => !drop.has(name.toLowerCase())))
  const qs = querystring.stringify(options.query ?? {})
  const url = `${baseUrl}${options.path}${qs ? `?${qs}` : ''}`
  const body = options.sendBody ?? options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined)
  return httpRequest(url, { method: options.method ?? 'GET', headers, body })
}

/**
 * The official signer's own steps (AKSKSigner's canonical URI, canonical headers and request, its hash and
 * HMAC) over exactly the headers given. AKSKSigner.sign always adds host and X-Sdk-Date to what it signs, so
 * a client that leaves one of them out can only be imitated through these protected steps.
 */
class SignerSteps extends AKSKSigner {
  static authorizationOver(key: SigningKey, method: string, path: string, signed: Record<string, string>, date: string): string {
    const names = Object.keys(signed).map((name) => name.toLowerCase()).sort().join(';')
    const canonical = this.buildCanonicalRequest(method, this.CanonicalURI(path), '', this.buildCanonicalHeaders(signed), names, this.EMPTY_BODY_SHA256)
    const signature = this.hmacSHA256(key.secretKey, this.getStringToSign(this.SDK_SIGNING_ALGORITHM, date, this.Hex(canonical)))
    return `${this.SDK_SIGNING_ALGORITHM} Access=${key.accessKey}, SignedHeaders=${names}, Signature=${signature}`
  }
}

/**
 * The headers of a body-less request whose correct signature covers only `signedNames` (any case) of
 * `headers`; all of `headers` are sent. X-Sdk-Date, when given, is the signing time either way.
 */
export function signedOver(key: SigningKey, method: string, path: string, headers: Record<string, string>, signedNames: string[]): Record<string, string> {
  const wanted = new Set(signedNames.map((name) => name.toLowerCase()))
  const signed = Object.fromEntries(Object.entries(headers).filter(([name]) => wanted.has(name.toLowerCase())))
  assert.equal(Object.keys(signed).length, wanted.size, `every signed header is among the headers sent: ${signedNames.join(', ')}`)
  const date = Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-sdk-date')?.[1] ?? sdkDate(new Date())
  return { ...headers, Authorization: SignerSteps.authorizationOver(key, method, path, signed, date) }
}
