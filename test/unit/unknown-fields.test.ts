import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { stripUnknownFields } from '../../src/http/unknown-fields.ts'
import { CreateEndpointBody } from '../../src/api/schemas/endpoints.ts'
import { CreateServiceBody } from '../../src/api/schemas/services.ts'

describe('unknown body fields', () => {
  it('removes undeclared fields at every depth and names each by its path', () => {
    const body = JSON.parse(
      '{"port_id":"p","x_new":1,"__proto__":{"polluted":true},"ports":[{"client_port":1,"server_port":2,"weight":5},{"client_port":3,"server_port":4}],"tags":[{"key":"k","colour":"red"}]}',
    )
    const ignored = stripUnknownFields(CreateServiceBody as never, body)
    assert.deepEqual(ignored.sort(), ['__proto__', 'ports[0].weight', 'tags[0].colour', 'x_new'])
    assert.deepEqual(JSON.parse(JSON.stringify(body)), { port_id: 'p', ports: [{ client_port: 1, server_port: 2 }, { client_port: 3, server_port: 4 }], tags: [{ key: 'k' }] })
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })

  it('keeps free-form values whole: a policy document and a policy statement\'s own keys', () => {
    const body = {
      endpoint_service_id: 's',
      policy_document: { Version: '5.0', Statement: [{ Effect: 'Allow', Anything: 1 }] },
      policy_statement: [{ Effect: 'Allow', Action: ['a'], Resource: ['r'], NotPrincipal: ['x'] }],
      future: true,
    }
    assert.deepEqual(stripUnknownFields(CreateEndpointBody as never, body), ['future'])
    assert.deepEqual(body.policy_document, { Version: '5.0', Statement: [{ Effect: 'Allow', Anything: 1 }] })
    assert.deepEqual(body.policy_statement[0], { Effect: 'Allow', Action: ['a'], Resource: ['r'], NotPrincipal: ['x'] })
  })

  it('leaves values that are not objects, and a schema-less body, alone', () => {
    assert.deepEqual(stripUnknownFields(CreateServiceBody as never, null), [])
    assert.deepEqual(stripUnknownFields(CreateServiceBody as never, [1, { a: 1 }]), [])
    assert.deepEqual(stripUnknownFields(CreateServiceBody as never, { ports: 'not a list' }), [])
    assert.deepEqual(stripUnknownFields(undefined, { a: 1 }), [])
  })
})
