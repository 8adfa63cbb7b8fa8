import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { TSchema } from 'typebox'
import * as services from '../../src/api/schemas/services.ts'
import * as endpoints from '../../src/api/schemas/endpoints.ts'
import * as permissions from '../../src/api/schemas/permissions.ts'
import * as tags from '../../src/api/schemas/tags.ts'
import * as common from '../../src/api/schemas/common.ts'
import { PATTERN_WORDS, validatorCompiler } from '../../src/http/validation.ts'
import { parseJsonBody } from '../../src/http/body.ts'
import { jsonSyntaxError } from '../../src/http/json-syntax.ts'
import { inFlagWords } from '../../src/cli/api.ts'
import { ApiError } from '../../src/domain/errors.ts'

/*
 * Errors in the user's words: what a schema violation, a JSON syntax error and (in the CLI) a field name
 * turn into. The EndPoint codes are the catalog's, whatever the words.
 */

function bodyError(schema: TSchema, value: unknown): ApiError {
  const validate = validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '/' }) as (v: unknown) => { error?: ApiError }
  const result = validate(value)
  assert.ok(result.error, 'expected a validation error')
  return result.error
}

const SERVICE = {
  port_id: '4189d3c2-8882-4871-a3c2-d380272eed88',
  vpc_id: '4189d3c2-8882-4871-a3c2-d380272eed80',
  server_type: 'VM',
  ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }],
}

/** Every `pattern` anywhere in the exported schemas. */
function patternsIn(node: unknown, found = new Set<string>()): Set<string> {
  if (node && typeof node === 'object') {
    const pattern = (node as { pattern?: unknown }).pattern
    if (typeof pattern === 'string') found.add(pattern)
    for (const child of Object.values(node)) patternsIn(child, found)
  }
  return found
}

describe('errors in the user\'s words', () => {
  it('names the field and says what it must be, keeping the catalog code', () => {
    const cases: Array<[unknown, string, string]> = [
      [{ ...SERVICE, port_id: 'abc' }, 'EndPoint.3003', 'Body field port_id must be a UUID, such as 4189d3c2-8882-4871-a3c2-d380272eed88.'],
      [{ ...SERVICE, server_type: 'VMX' }, 'EndPoint.3021', 'Body field server_type must be one of VM, VIP, LB.'],
      [{ ...SERVICE, ports: [{ client_port: 0, server_port: 80 }] }, 'EndPoint.3043', 'Body field ports[0].client_port must be a whole number from 1 to 65535.'],
      [{ ...SERVICE, ports: [{ client_port: '80', server_port: 80 }] }, 'EndPoint.3043', 'Body field ports[0].client_port must be a whole number, not a string.'],
      [{ ...SERVICE, ports: [] }, 'EndPoint.3074', 'Body field ports must list at least one item.'],
      [{ ...SERVICE, service_name: 'a b' }, 'EndPoint.3076', 'Body field service_name may contain only letters, digits, _ and -.'],
      [{ ...SERVICE, service_name: 'x'.repeat(17) }, 'EndPoint.3076', 'Body field service_name must be at most 16 characters long.'],
      [{ ...SERVICE, description: '<script>' }, 'EndPoint.0002', 'Body field description must not contain < or >.'],
      [{ ...SERVICE, approval_enabled: 'yes' }, 'EndPoint.0002', 'Body field approval_enabled must be true or false, not a string.'],
      [[SERVICE], 'EndPoint.0002', 'The request body must be an object, not a list.'],
    ]
    for (const [value, code, text] of cases) {
      const error = bodyError(services.CreateServiceBody, value)
      assert.equal(error.code, code, text)
      assert.equal(error.detail, text)
    }
    const endpoint = { endpoint_service_id: SERVICE.port_id, vpc_id: SERVICE.vpc_id, subnet_id: SERVICE.vpc_id }
    assert.equal(bodyError(endpoints.CreateEndpointBody, { ...endpoint, port_ip: '10.0.0.300' }).detail, 'Body field port_ip must be an IPv4 address, such as 192.168.0.10.')
    assert.equal(bodyError(endpoints.CreateEndpointBody, { ...endpoint, whitelist: ['10.0.0.0/8x'] }).detail, 'Body field whitelist[0] must be an IPv4 address or CIDR block, such as 192.168.0.10 or 192.168.0.0/24.')
  })

  it('has words for every pattern the API schemas use', () => {
    const patterns = patternsIn([services, endpoints, permissions, tags, common])
    assert.ok(patterns.size >= 5)
    const missing = [...patterns].filter((pattern) => !(pattern in PATTERN_WORDS))
    assert.deepEqual(missing, [], 'add plain words for these to PATTERN_WORDS in src/http/validation.ts')
  })

  it('places a JSON syntax error by line and column', () => {
    const detail = (text: string) => {
      const parsed = parseJsonBody(Buffer.from(text))
      assert.ok('error' in parsed)
      return parsed.error.detail
    }
    assert.equal(detail('{\n  "port_id": "x",\n  "vpc_id": y\n}'), 'The request body is not valid JSON: line 3, column 13: expected a value (an object, array, string, number, true, false or null), found "y".')
    assert.equal(detail('{"a": 1,}'), 'The request body is not valid JSON: line 1, column 9: expected a property name in double quotes, found "}".')
    assert.equal(detail('{"a": 1'), 'The request body is not valid JSON: line 1, column 8: expected "," or "}" after the property value, found the end of the body.')
    assert.equal(detail('{"a": 1} x'), 'The request body is not valid JSON: line 1, column 10: expected the end of the body after the JSON value, found "x".')
  })

  it('finds a syntax error exactly when JSON.parse does', () => {
    // Deterministic mutations of a realistic body: delete, duplicate or replace one character.
    const body = JSON.stringify({ ...SERVICE, description: 'a "quoted" \\ text\n', tags: [{ key: 'k', value: 'é' }], n: -1.5e3, ok: true, none: null }, null, 2)
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648)
    const alphabet = '{}[]":,.-+eE0123456789 \\ntfrua\n'
    for (let k = 0; k < 3000; k++) {
      const at = next() % body.length
      const char = alphabet[next() % alphabet.length]!
      const kind = next() % 3
      const text = kind === 0 ? body.slice(0, at) + body.slice(at + 1) : kind === 1 ? body.slice(0, at) + char + body.slice(at) : body.slice(0, at) + char + body.slice(at + 1)
      let valid = true
      try {
        JSON.parse(text)
      } catch {
        valid = false
      }
      assert.equal(jsonSyntaxError(text) === undefined, valid, JSON.stringify(text))
    }
  })

  it('names the CLI flag instead of the body field', () => {
    const flags = new Map([['port_id', '--port-id'], ['ports', '--port'], ['subnet_id', '--subnet-id'], ['limit', '--limit']])
    assert.equal(inFlagWords('Invalid port ID. Body field port_id must be a UUID.', flags), 'Invalid port ID. --port-id must be a UUID.')
    assert.equal(inFlagWords('Body field ports[1].client_port must be a whole number from 1 to 65535.', flags), '--port (value 2, client_port) must be a whole number from 1 to 65535.')
    assert.equal(inFlagWords('subnet_id is required to connect to an interface endpoint service.', flags), '--subnet-id is required to connect to an interface endpoint service.')
    assert.equal(inFlagWords('Query parameter limit must be a whole number from 1 to 1000.', flags), '--limit must be a whole number from 1 to 1000.')
    assert.equal(inFlagWords('Body field server_type must be one of VM, VIP, LB.', flags), 'Body field server_type must be one of VM, VIP, LB.')
  })
})
