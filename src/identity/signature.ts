import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/*
 * SDK-HMAC-SHA256, the AK/SK request signature of Huawei Cloud (digest §2.2). Used by the server to
 * verify requests and by vpcep's own client to sign them, so both sides share one implementation.
 */

export const ALGORITHM = 'SDK-HMAC-SHA256'
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** The gateway's documented tolerance between the client's `X-Sdk-Date` and the server clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000

/** Text that percent-encoding leaves as it is: the common case, answered without encoding. */
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/
const UNRESERVED_PATH = /^[A-Za-z0-9\-._~/]*$/

/** RFC 3986 percent-encoding: only `A-Z a-z 0-9 - _ . ~` stay as they are; hex is upper-case. */
export function rfc3986(value: string): string {
  if (UNRESERVED.test(value)) return value
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** Decodes one percent-encoded component as a form decoder does (`+` is a space, as Go clients send it). */
function decodeComponent(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '))
}

/** Canonical URI: every segment decoded then strictly re-encoded, always ending in `/`. */
export function canonicalUri(rawPath: string): string {
  // Nothing to decode and nothing to encode: every API path the SDKs send.
  if (UNRESERVED_PATH.test(rawPath)) return rawPath.endsWith('/') ? rawPath : `${rawPath}/`
  const encoded = rawPath
    .split('/')
    .map((segment) => rfc3986(decodeURIComponent(segment)))
    .join('/')
  return encoded.endsWith('/') ? encoded : `${encoded}/`
}

/** Canonical query from the query string as received: decoded, re-encoded, sorted by name then value. */
export function canonicalQueryFromRaw(rawQuery: string): string {
  if (rawQuery === '') return ''
  const pairs: Array<[string, string]> = []
  for (const part of rawQuery.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const name = decodeComponent(eq < 0 ? part : part.slice(0, eq))
    const value = eq < 0 ? '' : decodeComponent(part.slice(eq + 1))
    pairs.push([name, value])
  }
  return canonicalQuery(pairs)
}

/** Canonical query from decoded name/value pairs: sorted as text (as the signers do), then encoded. */
export function canonicalQuery(pairs: Array<[string, string]>): string {
  return [...pairs]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
    .join('&')
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
const SHA256_HEX = /^[0-9a-fA-F]{64}$/

/**
 * The payload hash a signature must cover. `declared` is the value of X-Sdk-Content-Sha256 when that
 * header is among the SIGNED ones (an unsigned one is ignored: it could be anything). A declared digest
 * must be the body's, or a captured signature would carry any other body. Answers the reason it
 * cannot be accepted instead of a hash.
 */
export function payloadHashOf(rawBody: Buffer | undefined, declared: string | undefined, allowUnsignedPayload: boolean): { hash: string } | { refused: string } {
  const actual = rawBody?.length ? sha256Hex(rawBody) : EMPTY_BODY_SHA256
  if (declared === undefined) return { hash: actual }
  const value = declared.trim()
  if (value === UNSIGNED_PAYLOAD) {
    if (allowUnsignedPayload) return { hash: UNSIGNED_PAYLOAD }
    return { refused: 'X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD is refused: the signature must cover the body (an operator can allow it with VPCEP_ALLOW_UNSIGNED_PAYLOAD=on).' }
  }
  if (!SHA256_HEX.test(value)) return { refused: 'X-Sdk-Content-Sha256 must be the hex SHA-256 of the body, or UNSIGNED-PAYLOAD.' }
  if (value.toLowerCase() !== actual) return { refused: 'X-Sdk-Content-Sha256 does not match the body received.' }
  return { hash: value }
}

export interface CanonicalRequestParts {
  method: string
  rawPath: string
  canonicalQuery: string
  /** Signed header names, lower-case, in signing order. */
  signedHeaders: string[]
  /** Lower-case header name → value, for every signed header. */
  headerValues: Record<string, string>
  payloadHash: string
}

export function stringToSign(parts: CanonicalRequestParts, sdkDate: string): string {
  const canonicalHeaders = parts.signedHeaders.map((name) => `${name}:${(parts.headerValues[name] ?? '').trim()}\n`).join('')
  const canonicalRequest = [
    parts.method.toUpperCase(),
    canonicalUri(parts.rawPath),
    parts.canonicalQuery,
    canonicalHeaders,
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n')
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonicalRequest)}`
}

export function signatureOf(secretKey: string, toSign: string): string {
  return createHmac('sha256', secretKey).update(toSign).digest('hex')
}

export function signaturesEqual(expectedHex: string, actualHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'utf8')
  const actual = Buffer.from(actualHex, 'utf8')
  // Lengths differ only for malformed input; the compare below still runs in constant time for equal lengths.
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

export interface ParsedAuthorization {
  accessKey: string
  signedHeaders: string[]
  signature: string
}

/** Parses `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b>, Signature=<hex>`; undefined when malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const match = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]{64})\s*$/.exec(header)
  if (!match) return undefined
  const signedHeaders = match[2]!.split(';').map((h) => h.toLowerCase())
  if (signedHeaders.some((h) => h === '')) return undefined
  return { accessKey: match[1]!, signedHeaders, signature: match[3]!.toLowerCase() }
}

/** `YYYYMMDDTHHMMSSZ` → Date; undefined when the value is not exactly that form. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (!m) return undefined
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!))
  return Number.isNaN(date.getTime()) ? undefined : date
}

export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}
