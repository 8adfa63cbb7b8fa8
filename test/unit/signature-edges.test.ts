import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  EMPTY_BODY_SHA256,
  canonicalQuery,
  canonicalQueryFromRaw,
  canonicalUri,
  parseAuthorization,
  parseSdkDate,
  payloadHashOf,
  rfc3986,
  sha256Hex,
  signaturesEqual,
  stringToSign,
} from '../../src/identity/signature.ts'

/*
 * The edges of the signature's parsing and canonical forms that the vectors and the official signer's
 * cross-checks do not reach: text around a valid value, empty parts, repeated names, whitespace. Each
 * case is one a mutation of src/identity/signature.ts survived (docs/testing.md).
 */

const SIGNATURE = 'ab'.repeat(32)
const header = (rest: string) => `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=${SIGNATURE}${rest}`

describe('signature edges', () => {
  it('percent-encodes text made only of reserved characters, in URIs and query values alike', () => {
    assert.equal(rfc3986("!*'()"), '%21%2A%27%28%29')
    assert.equal(rfc3986('a b+c'), 'a%20b%2Bc')
    assert.equal(rfc3986('Az09-._~'), 'Az09-._~')
    assert.equal(canonicalUri('!*'), '%21%2A/')
    assert.equal(canonicalUri('/v1/a b'), '/v1/a%20b/')
  })

  it('reads + in a raw query as a space, skips empty parts, and keeps an empty name apart from its value', () => {
    assert.equal(canonicalQueryFromRaw('q=b+c'), 'q=b%20c')
    assert.equal(canonicalQueryFromRaw('a=1&&b=2&'), 'a=1&b=2')
    assert.equal(canonicalQueryFromRaw('=x'), '=x')
    assert.equal(canonicalQueryFromRaw('flag'), 'flag=')
    assert.equal(canonicalQueryFromRaw(''), '')
  })

  it('orders a repeated name by its values, whatever order they came in', () => {
    const expected = 'a=1&a=2&a=3&b=0'
    for (const order of [['3', '1', '2'], ['2', '3', '1'], ['1', '3', '2'], ['3', '2', '1']]) {
      assert.equal(canonicalQuery([['b', '0'], ...order.map((v): [string, string] => ['a', v])]), expected)
    }
  })

  it('takes a declared payload hash only when it is exactly 64 hex digits (surrounding spaces aside)', () => {
    const body = Buffer.from('{"a":1}')
    const hash = sha256Hex(body)
    assert.deepEqual(payloadHashOf(body, ` ${hash.toUpperCase()} `, false), { hash: hash.toUpperCase() })
    const malformed = { refused: 'X-Sdk-Content-Sha256 must be the hex SHA-256 of the body, or UNSIGNED-PAYLOAD.' }
    assert.deepEqual(payloadHashOf(body, `zz${hash}`, false), malformed)
    assert.deepEqual(payloadHashOf(body, `${hash}zz`, false), malformed)
    assert.deepEqual(payloadHashOf(body, hash.slice(1), false), malformed)
    assert.deepEqual(payloadHashOf(Buffer.alloc(0), undefined, false), { hash: EMPTY_BODY_SHA256 })
  })

  it('signs header values without their surrounding whitespace', () => {
    const parts = { method: 'get', rawPath: '/v1', canonicalQuery: '', signedHeaders: ['host', 'x-sdk-date'], payloadHash: EMPTY_BODY_SHA256 }
    const padded = stringToSign({ ...parts, headerValues: { host: '  example.test ', 'x-sdk-date': '20260101T000000Z' } }, '20260101T000000Z')
    const plain = stringToSign({ ...parts, headerValues: { host: 'example.test', 'x-sdk-date': '20260101T000000Z' } }, '20260101T000000Z')
    assert.equal(padded, plain)
    // A signed header that was not sent is signed as an empty value.
    const missing = stringToSign({ ...parts, headerValues: { host: 'example.test' } }, '20260101T000000Z')
    assert.equal(missing, stringToSign({ ...parts, headerValues: { host: 'example.test', 'x-sdk-date': '' } }, '20260101T000000Z'))
    assert.notEqual(missing, plain)
  })

  it('compares signatures of different lengths as unequal, without throwing', () => {
    assert.equal(signaturesEqual(SIGNATURE, `${SIGNATURE}0`), false)
    assert.equal(signaturesEqual(SIGNATURE, SIGNATURE), true)
  })

  it('parses the Authorization header only when nothing comes before or after it', () => {
    assert.deepEqual(parseAuthorization(header('')), { accessKey: 'AK1', signedHeaders: ['host', 'x-sdk-date'], signature: SIGNATURE })
    assert.deepEqual(parseAuthorization(header('  ')), { accessKey: 'AK1', signedHeaders: ['host', 'x-sdk-date'], signature: SIGNATURE })
    assert.equal(parseAuthorization(`x ${header('')}`), undefined)
    assert.equal(parseAuthorization(header(' extra')), undefined)
    assert.equal(parseAuthorization(header('0')), undefined, '65 hex digits')
  })

  it('allows any run of spaces between its parts, or none after the commas', () => {
    const expected = { accessKey: 'AK1', signedHeaders: ['host', 'x-sdk-date'], signature: SIGNATURE }
    assert.deepEqual(parseAuthorization(`SDK-HMAC-SHA256   Access=AK1,SignedHeaders=Host;X-Sdk-Date,Signature=${SIGNATURE.toUpperCase()}`), expected)
    assert.deepEqual(parseAuthorization(`SDK-HMAC-SHA256 Access=AK1,   SignedHeaders=host;x-sdk-date,   Signature=${SIGNATURE}`), expected)
    assert.equal(parseAuthorization(`SDK-HMAC-SHA256Access=AK1, SignedHeaders=host, Signature=${SIGNATURE}`), undefined)
  })

  it('refuses a SignedHeaders list with an empty name', () => {
    assert.equal(parseAuthorization(`SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;;x-sdk-date, Signature=${SIGNATURE}`), undefined)
    assert.equal(parseAuthorization(`SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;, Signature=${SIGNATURE}`), undefined)
  })

  it('reads X-Sdk-Date only in its exact form', () => {
    assert.equal(parseSdkDate('20260102T030405Z')?.toISOString(), '2026-01-02T03:04:05.000Z')
    assert.equal(parseSdkDate('x20260102T030405Z'), undefined)
    assert.equal(parseSdkDate('20260102T030405Zx'), undefined)
    assert.equal(parseSdkDate('2026-01-02T03:04:05Z'), undefined)
  })
})
