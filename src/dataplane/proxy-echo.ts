import net from 'node:net'
import { decodeProxyV2, type DecodedProxyHeader } from './proxy-v2-decode.ts'

/** What one connection told the example backend. */
export interface EchoReport {
  header: DecodedProxyHeader | null
  peer: string
}

/**
 * The example backend of `vpcep proxy-echo`: reads an optional PROXY v2 header, reports it, and
 * answers with it as JSON (an HTTP response when the client speaks HTTP, so curl shows it).
 */
export function proxyEchoServer(onReport: (report: EchoReport) => void): net.Server {
  return net.createServer((socket) => {
    socket.on('error', () => {})
    let buffered = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      const header = decodeProxyV2(buffered)
      if (header === undefined) return
      const rest = header ? buffered.subarray(header.length) : buffered
      if (rest.length === 0 && header) return // the header alone: wait for the client's first bytes
      socket.off('data', onData)
      const report: EchoReport = { header, peer: `${socket.remoteAddress}:${socket.remotePort}` }
      onReport(report)
      const body = `${JSON.stringify(report, null, 2)}\n`
      if (/^[A-Z]+ \S+ HTTP\/1\.[01]\r?\n/.test(rest.toString('latin1', 0, Math.min(rest.length, 256)))) {
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
      } else {
        socket.write(body)
        socket.pipe(socket)
        if (rest.length) socket.write(rest)
      }
    }
    socket.on('data', onData)
  })
}
