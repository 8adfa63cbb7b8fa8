import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { V2ProxyProtocol } from 'proxy-protocol-js'
import { encodeProxyV2, PROXY_V2_SIGNATURE } from '../../src/dataplane/proxy-v2.ts'
import { decodeProxyV2 } from '../../src/dataplane/proxy-v2-decode.ts'
import { whitelistTest } from '../../src/dataplane/acl.ts'

const ENDPOINT_ID = '4189d3c2-8882-4871-a3c2-d380272eed80'

describe('PROXY protocol v2 encoder', () => {
  it('writes the IPv4 TCP header byte for byte as the specification lays it out', () => {
    const header = encodeProxyV2({ transport: 'tcp', source: { address: '127.0.0.2', port: 40000 }, destination: { address: '127.8.0.2', port: 8080 }, markerId: 0x01020304, endpointId: ENDPOINT_ID })
    assert.deepEqual(header.subarray(0, 12), PROXY_V2_SIGNATURE)
    assert.equal(header[12], 0x21, 'version 2, PROXY')
    assert.equal(header[13], 0x11, 'AF_INET, STREAM')
    assert.equal(header.readUInt16BE(14), header.length - 16)
    assert.deepEqual([...header.subarray(16, 28)], [127, 0, 0, 2, 127, 8, 0, 2, 0x9c, 0x40, 0x1f, 0x90])
    assert.deepEqual([...header.subarray(28, 35)], [0xe0, 0, 4, 1, 2, 3, 4], 'marker_id TLV')
    assert.deepEqual([...header.subarray(35, 38)], [0xe1, 0, 36], 'endpoint id TLV')
    assert.equal(header.subarray(38).toString('ascii'), ENDPOINT_ID)
  })

  it('is read back by an independent parser (proxy-protocol-js) and by the example backend, IPv4 and IPv6, TCP and UDP', () => {
    for (const [source, destination, transport] of [
      ['::ffff:127.0.0.9', '127.8.0.3', 'udp'],
      ['fd00::1', '::1', 'tcp'],
    ] as const) {
      const bytes = encodeProxyV2({ transport, source: { address: source, port: 1 }, destination: { address: destination, port: 65535 }, markerId: 2 ** 31 - 1, endpointId: ENDPOINT_ID })
      const parsed = V2ProxyProtocol.parse(new Uint8Array(bytes))
      assert.equal(parsed.transportProtocol, transport === 'tcp' ? 1 : 2)
      const decoded = decodeProxyV2(Buffer.concat([bytes, Buffer.from('GET /')]))!
      assert.equal(decoded.length, bytes.length)
      assert.equal(decoded.markerId, 2 ** 31 - 1)
      assert.equal(decoded.endpointId, ENDPOINT_ID)
      assert.equal(decoded.destination?.port, 65535)
    }
    assert.equal(decodeProxyV2(Buffer.from('GET / HTTP/1.1\r\n')), null)
    assert.equal(decodeProxyV2(PROXY_V2_SIGNATURE.subarray(0, 5)), undefined)
  })
})

describe('endpoint IP whitelist test', () => {
  it('admits everyone when off, only listed sources when on, nobody with an empty list', () => {
    assert.equal(whitelistTest(false, [])('10.1.1.1'), true)
    const on = whitelistTest(true, ['127.0.0.2', '10.0.0.0/8'])
    assert.deepEqual(['127.0.0.2', '::ffff:127.0.0.2', '127.0.0.3', '10.200.1.1', '11.0.0.1', '::1'].map(on), [true, true, false, true, false, false])
    assert.equal(whitelistTest(true, [])('127.0.0.2'), false)
    assert.equal(whitelistTest(true, ['0.0.0.0/0'])('127.0.0.5'), true)
  })
})
