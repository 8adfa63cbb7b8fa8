import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { Writable } from 'node:stream'
import { dialects, eventually, freshDatabaseUrl, security, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { sdkClient } from '../helpers/vpcep-sdk.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'
import { systemClock } from '../../src/domain/clock.ts'

/*
 * SECURITY.md: "a client that stalls is cut" and "one address cannot hold every connection". Timeouts
 * here are short so the test is quick; the defaults are in docs/operations.md.
 */

interface RawConnection {
  /** Settles with everything the server sent once it closed the connection. */
  closed: Promise<string>
  socket: net.Socket
}

function connect(port: number, sendFirst: string, localAddress = '127.0.0.1'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => {
      if (sendFirst) socket.write(sendFirst)
      resolve({ socket, closed })
    })
    let received = ''
    socket.on('data', (chunk) => (received += chunk))
    const closed = new Promise<string>((done) => socket.on('close', () => done(received)))
    socket.once('error', reject)
  })
}

const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0)
const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))

for (const dialect of dialects()) {
  describe(`stalled clients are cut and cannot crowd others out [${dialect}]`, () => {
    let server: TestServer
    let account: NewAccount
    let port: number
    /** Other clients are answered while stalled ones wait: health and a signed read. */
    const othersAnswered = async () => {
      assert.equal((await httpRequest(`${server.url}/healthz`)).status, 200)
      assert.equal((await sdkClient(server.url, account).listEndpointService()).httpStatusCode, 200)
    }

    before(async () => {
      server = await startServer(
        await freshDatabaseUrl(dialect),
        // Idle longer than the request deadline plus its 300 ms check, so the 408 is what a stalled body meets first.
        security({ headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 1500, maxConnectionsPerAddress: 8 }),
      )
      account = await server.account('stall')
      port = Number(new URL(server.url).port)
    })
    after(() => server.stop())

    it('answers a body that never finishes with 408 and closes the socket', async () => {
      const stalled = await connect(port, 'POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"auth":')
      await othersAnswered()
      const started = Date.now()
      const raw = await stalled.closed
      assert.equal(statusOf(raw), 408, raw)
      assert.equal(bodyOf(raw).error_code, 'EndPoint.0002')
      assert.ok(Date.now() - started < 5000, 'cut within a few seconds of the request deadline')
    })

    it('answers headers that never finish with 408 and closes the socket', async () => {
      const stalled = await connect(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n')
      await othersAnswered()
      const raw = await stalled.closed
      assert.equal(statusOf(raw), 408, raw)
    })

    it('closes a keep-alive connection left idle after its answer', async () => {
      const idle = await connect(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
      const raw = await idle.closed
      assert.equal(statusOf(raw), 200, raw)
    })

    it('caps the connections one address holds (429, closed) while other addresses and freed slots still work', async () => {
      const held = await Promise.all(Array.from({ length: 8 }, () => connect(port, 'GET /healthz HTTP/1.1\r\n')))
      try {
        const refused = await connect(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
        const raw = await refused.closed
        assert.equal(statusOf(raw), 429, raw)
        assert.match(raw, /\r\nRetry-After: 1\r\n/i)
        assert.equal(bodyOf(raw).error_code, 'EndPoint.0022')
        // Another source address is not affected.
        const other = await connect(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', '127.0.0.2')
        assert.equal(statusOf(await other.closed), 200)
      } finally {
        for (const connection of held) connection.socket.destroy()
        await Promise.all(held.map((connection) => connection.closed))
      }
      // The slots are free again once those sockets closed.
      await othersAnswered()
    })
  })
}

for (const dialect of dialects()) {
  describe(`a client that aborts is no server fault [${dialect}]`, () => {
    let server: TestServer
    const lines: Array<Record<string, unknown>> = []
    before(async () => {
      const stream = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
          done()
        },
      })
      server = await startServer(await freshDatabaseUrl(dialect), {}, systemClock, { level: 'debug', stream })
    })
    after(() => server.stop())

    it('logs the abort once, at debug, without a stack', async () => {
      const port = Number(new URL(server.url).port)
      const aborting = await connect(port, 'POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"auth":')
      await eventually(async () => (lines.some((line) => line.msg === 'incoming request') ? true : undefined), 'the request reached the server')
      aborting.socket.destroy()
      await aborting.closed
      const reqId = await eventually(async () => lines.find((line) => String(line.msg).startsWith('client closed'))?.reqId, 'the abort logged')
      assert.equal((await httpRequest(`${server.url}/healthz`)).status, 200)
      const ofRequest = lines.filter((line) => line.reqId === reqId && line.msg !== 'incoming request')
      assert.deepEqual(ofRequest.map((line) => [line.level, line.msg]), [[20, 'client closed the connection before the request was complete']])
      assert.ok(!JSON.stringify(ofRequest).includes('stack'))
      assert.deepEqual(lines.filter((line) => Number(line.level) >= 40), [], 'nothing at warn or above')
    })
  })
}
