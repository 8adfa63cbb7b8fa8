import assert from 'node:assert/strict'
import type { HttpResult } from './http.ts'

/**
 * Every error answer: the status, the `EndPoint.*` code, both envelope shapes with equal values, and
 * x-request-id equal to request_id. `detail` must match the message when given. Answers the body.
 */
export function assertError(res: HttpResult, status: number, code: string, detail?: RegExp): { error_code: string; error_msg: string; [field: string]: any } {
  assert.equal(res.status, status, `status of ${res.text}`)
  assert.match(String(res.headers['content-type']), /^application\/json/)
  const body = res.json
  assert.ok(body, `JSON error body: ${res.text}`)
  assert.equal(body.error_code, code, res.text)
  assert.equal(typeof body.error_msg, 'string')
  assert.ok(body.error_msg.length > 0)
  assert.deepEqual(body.error, { code: body.error_code, message: body.error_msg })
  assert.ok(res.headers['x-request-id'], 'x-request-id header')
  assert.equal(body.request_id, res.headers['x-request-id'])
  if (detail) assert.match(body.error_msg, detail)
  return body
}
