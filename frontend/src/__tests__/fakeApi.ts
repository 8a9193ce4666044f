/**
 * A stand-in for the network in unit tests: `fetch` is stubbed with a table of routes
 * ("POST /api/v1/user/auth/login") whose handlers build fresh Responses, and every request is
 * recorded so tests can assert exactly what was sent.
 */
import { vi, type Mock } from 'vitest'

export interface RecordedRequest {
  method: string
  url: string
  /** The parsed JSON body, or undefined without one. */
  body: unknown
  /** Header names in lower case. */
  headers: Record<string, string>
  credentials: RequestCredentials | undefined
}

export type RouteHandler = (request: RecordedRequest) => Response | Promise<Response>

export interface FakeApi {
  fetchMock: Mock<(input: RequestInfo | URL, init?: RequestInit) => Promise<Response>>
  requests: RecordedRequest[]
  /** Adds or replaces the handler for "METHOD /path" (path without the query string). */
  on: (route: string, handler: RouteHandler) => void
  /** The requests sent to "METHOD /path", in order. */
  requestsTo: (route: string) => RecordedRequest[]
}

export function installFakeApi(routes: Record<string, RouteHandler> = {}): FakeApi {
  const table = new Map(Object.entries(routes))
  const requests: RecordedRequest[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const method = init?.method ?? 'GET'
    const request: RecordedRequest = {
      method,
      url,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      credentials: init?.credentials,
    }
    requests.push(request)
    const handler = table.get(`${method} ${url.split('?')[0]}`)
    if (handler === undefined) {
      throw new Error(`fakeApi: no route for ${method} ${url}`)
    }
    return handler(request)
  })
  vi.stubGlobal('fetch', fetchMock)
  return {
    fetchMock,
    requests,
    on: (route, handler) => table.set(route, handler),
    requestsTo: (route) =>
      requests.filter((request) => `${request.method} ${request.url.split('?')[0]}` === route),
  }
}

export function jsonResponse(status: number, body: unknown, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...Object.fromEntries(new Headers(headers)) },
  })
}

export function noContent(): Response {
  return new Response(null, { status: 204 })
}

export function errorResponse(
  status: number,
  error: { code: string; message?: string; param?: string | null; type?: string },
  headers: HeadersInit = {},
): Response {
  return jsonResponse(
    status,
    {
      error: {
        type: error.type ?? (status === 401 ? 'authentication_error' : 'invalid_request'),
        code: error.code,
        message: error.message ?? `${error.code} happened`,
        param: error.param ?? null,
      },
    },
    headers,
  )
}

/** A promise and the functions that settle it, for holding a response back. */
export function deferred<T>(): {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (reason: unknown) => void
} {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise
    reject = rejectPromise
  })
  return { promise, resolve, reject }
}
