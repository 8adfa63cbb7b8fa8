import http from 'node:http'

export interface HttpResult {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: any
}

/** Reads a response to its end: status, headers, text and (when it parses) JSON. */
export function collectResponse(response: http.IncomingMessage): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    response.on('data', (chunk: Buffer) => chunks.push(chunk))
    response.on('error', reject)
    response.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let json: unknown
      try {
        json = text ? JSON.parse(text) : undefined
      } catch {
        json = undefined
      }
      resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json })
    })
  })
}

/** A plain HTTP/1.1 request over node:http, so tests control every header (Host included), byte and source address. */
export function httpRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; localAddress?: string } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false, localAddress: options.localAddress }, (response) => {
      collectResponse(response).then(resolve, reject)
    })
    request.on('error', reject)
    if (options.body !== undefined) request.write(options.body)
    request.end()
  })
}
