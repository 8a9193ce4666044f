import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest'

import {
  ApiError,
  apiDelete,
  apiGet,
  apiPatch,
  apiPost,
  createIdempotencyKey,
  setAccessTokenProvider,
  setUnauthorizedHandler,
  type Page,
} from '../http'

type FetchMock = Mock<(input: RequestInfo | URL, init?: RequestInit) => Promise<Response>>

let fetchMock: FetchMock

function jsonResponse(status: number, body: unknown, statusText = ''): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText,
    headers: { 'Content-Type': 'application/json' },
  })
}

/** The single call fetch received, with its headers as a plain object. */
function onlyFetchCall(): { url: string; init: RequestInit; headers: Record<string, string> } {
  expect(fetchMock).toHaveBeenCalledTimes(1)
  const [input, init] = fetchMock.mock.calls[0] ?? []
  if (init === undefined) {
    throw new Error('fetch was called without init')
  }
  return {
    url: typeof input === 'string' ? input : input instanceof URL ? input.href : String(input?.url),
    init,
    headers: Object.fromEntries(new Headers(init.headers).entries()),
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail, but it succeeded')
}

beforeEach(() => {
  fetchMock = vi.fn<(input: RequestInfo | URL, init?: RequestInit) => Promise<Response>>()
  vi.stubGlobal('fetch', fetchMock)
})

afterEach(() => {
  setAccessTokenProvider(() => null)
  setUnauthorizedHandler(null)
})

describe('successful calls', () => {
  it('GETs a cursor page from the same origin with the query string, JSON only', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { data: [{ id: 'lst_2' }], has_more: true }))

    const page = await apiGet<Page<{ id: string }>>('/api/v1/listings/', {
      query: { limit: 20, starting_after: 'lst_1', ending_before: undefined, category: null },
    })

    expect(page).toEqual({ data: [{ id: 'lst_2' }], has_more: true })
    const { url, init, headers } = onlyFetchCall()
    expect(url).toBe('/api/v1/listings/?limit=20&starting_after=lst_1')
    expect(init.method).toBe('GET')
    expect(init.body).toBeUndefined()
    expect(headers).toEqual({ accept: 'application/json' })
  })

  it('POSTs JSON with the Idempotency-Key header and amounts as digit strings', async () => {
    fetchMock.mockResolvedValue(jsonResponse(201, { id: 'bid_1' }))

    const created = await apiPost<{ id: string }>(
      '/api/v1/auctions/auc_1/bids',
      { max_amount_koinu: 123456789012345678901n },
      { idempotencyKey: 'b5a1c0de-0000-4000-8000-000000000001' },
    )

    expect(created).toEqual({ id: 'bid_1' })
    const { url, init, headers } = onlyFetchCall()
    expect(url).toBe('/api/v1/auctions/auc_1/bids')
    expect(init.method).toBe('POST')
    expect(init.body).toBe('{"max_amount_koinu":"123456789012345678901"}')
    expect(headers).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      'idempotency-key': 'b5a1c0de-0000-4000-8000-000000000001',
    })
  })

  it('sends no Idempotency-Key when the caller gives none', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, {}))

    await apiPost('/api/v1/messaging/conversations', { body: 'Hello' })

    expect(onlyFetchCall().headers).not.toHaveProperty('idempotency-key')
  })

  it('sends the bearer token from the access-token provider', async () => {
    setAccessTokenProvider(() => 'header.payload.signature')
    fetchMock.mockResolvedValue(jsonResponse(200, { id: 'usr_1' }))

    await apiGet('/api/v1/user/me')

    expect(onlyFetchCall().headers).toEqual({
      accept: 'application/json',
      authorization: 'Bearer header.payload.signature',
    })
  })

  it('sends no Authorization header while signed out', async () => {
    setAccessTokenProvider(() => null)
    fetchMock.mockResolvedValue(jsonResponse(200, {}))

    await apiGet('/api/v1/wallet/balance')

    expect(onlyFetchCall().headers).not.toHaveProperty('authorization')
  })

  it('returns undefined for 204 No Content', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }))

    await expect(apiDelete('/api/v1/notifications/ntf_1')).resolves.toBeUndefined()
    expect(onlyFetchCall().init.method).toBe('DELETE')
  })

  it('PATCHes JSON', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { is_read: true }))

    await expect(
      apiPatch('/api/v1/notifications/ntf_1', { is_read: true }),
    ).resolves.toEqual({ is_read: true })
    const { init } = onlyFetchCall()
    expect(init.method).toBe('PATCH')
    expect(init.body).toBe('{"is_read":true}')
  })
})

describe('failed calls', () => {
  it('turns the shared error shape into an ApiError with status, type, code and param', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(
        400,
        {
          error: {
            type: 'invalid_request',
            code: 'insufficient_funds',
            message: 'Your available balance is 1.5 DOGE.',
            param: 'amount',
          },
        },
        'Bad Request',
      ),
    )

    const error = await rejectionOf(
      apiPost('/api/v1/wallet/withdrawals', { amount_koinu: 500_000_000n }, { idempotencyKey: 'k' }),
    )

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({
      name: 'ApiError',
      status: 400,
      type: 'invalid_request',
      code: 'insufficient_funds',
      message: 'Your available balance is 1.5 DOGE.',
      param: 'amount',
    })
  })

  it('reads a missing param as null', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(409, {
        error: {
          type: 'invalid_request',
          code: 'idempotency_key_reused',
          message: 'This key was used with a different request body.',
        },
      }),
    )

    const error = await rejectionOf(apiPost('/api/v1/order/', {}, { idempotencyKey: 'k' }))

    expect(error).toMatchObject({ status: 409, code: 'idempotency_key_reused', param: null })
  })

  it('makes a generic ApiError from a response that is not the error shape', async () => {
    fetchMock.mockResolvedValue(
      new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    )

    const error = await rejectionOf(apiGet('/api/v1/search', { query: { q: 'shiba' } }))

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      status: 502,
      type: 'api_error',
      code: 'http_502',
      message: 'Bad Gateway',
      param: null,
    })
  })

  it('makes a generic ApiError when a JSON error body has the wrong shape', async () => {
    fetchMock.mockResolvedValue(jsonResponse(500, { detail: 'Server Error' }))

    const error = await rejectionOf(apiGet('/api/v1/listings/'))

    expect(error).toMatchObject({
      status: 500,
      type: 'api_error',
      code: 'http_500',
      message: 'Request failed with status 500.',
      param: null,
    })
  })

  it('reports a success response that is not JSON', async () => {
    fetchMock.mockResolvedValue(new Response('<html></html>', { status: 200 }))

    const error = await rejectionOf(apiGet('/api/v1/listings/'))

    expect(error).toMatchObject({ status: 200, type: 'api_error', code: 'invalid_json' })
  })

  it('turns a network failure into an ApiError with status 0, keeping the cause', async () => {
    const networkFailure = new TypeError('fetch failed')
    fetchMock.mockRejectedValue(networkFailure)

    const error = await rejectionOf(apiGet('/api/v1/listings/'))

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      status: 0,
      type: 'network_error',
      code: 'network_unreachable',
      message: 'Could not reach dBay. Check your connection and try again.',
      param: null,
      cause: networkFailure,
    })
  })

  it('lets an abort through untouched', async () => {
    const abort = new DOMException('The operation was aborted.', 'AbortError')
    fetchMock.mockRejectedValue(abort)

    const error = await rejectionOf(apiGet('/api/v1/listings/'))

    expect(error).toBe(abort)
  })
})

describe('createIdempotencyKey', () => {
  it('makes a fresh random UUID each time', () => {
    const first = createIdempotencyKey()
    const second = createIdempotencyKey()

    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(second).not.toBe(first)
  })
})

describe('Retry-After', () => {
  function rateLimited(retryAfter: string | null): Response {
    return new Response(
      JSON.stringify({
        error: { type: 'rate_limited', code: 'rate_limited', message: 'Slow down.', param: null },
      }),
      {
        status: 429,
        headers: retryAfter === null ? {} : { 'Retry-After': retryAfter },
      },
    )
  }

  it('reads a number of seconds', async () => {
    fetchMock.mockResolvedValue(rateLimited('42'))

    const error = await rejectionOf(apiPost('/api/v1/user/auth/login', {}))

    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 42 })
  })

  it('reads an HTTP date as the seconds from now', async () => {
    vi.useFakeTimers({ now: new Date('2025-06-01T12:00:00Z') })
    fetchMock.mockResolvedValue(rateLimited('Sun, 01 Jun 2025 12:01:30 GMT'))

    const error = await rejectionOf(apiPost('/api/v1/user/auth/login', {}))
    vi.useRealTimers()

    expect(error).toMatchObject({ retryAfterSeconds: 90 })
  })

  it('is null without the header or with one it cannot read', async () => {
    fetchMock.mockResolvedValueOnce(rateLimited(null)).mockResolvedValueOnce(rateLimited('soon'))

    expect(await rejectionOf(apiGet('/api/v1/user/me'))).toMatchObject({ retryAfterSeconds: null })
    expect(await rejectionOf(apiGet('/api/v1/user/me'))).toMatchObject({ retryAfterSeconds: null })
  })
})

describe('renewing the access token after a 401', () => {
  const expired = () =>
    jsonResponse(401, {
      error: {
        type: 'authentication_error',
        code: 'invalid_token',
        message: 'Token expired.',
        param: null,
      },
    })

  function authorizationHeaders(): (string | null)[] {
    return fetchMock.mock.calls.map(([, init]) => new Headers(init?.headers).get('authorization'))
  }

  it('asks the handler once with the rejected token, then retries with the new token', async () => {
    let token = 'stale'
    setAccessTokenProvider(() => token)
    const handler = vi.fn((rejected: string) => {
      expect(rejected).toBe('stale')
      token = 'fresh'
      return Promise.resolve(true)
    })
    setUnauthorizedHandler(handler)
    fetchMock.mockResolvedValueOnce(expired()).mockResolvedValueOnce(jsonResponse(200, { ok: 1 }))

    await expect(apiGet('/api/v1/user/me')).resolves.toEqual({ ok: 1 })

    expect(handler).toHaveBeenCalledTimes(1)
    expect(authorizationHeaders()).toEqual(['Bearer stale', 'Bearer fresh'])
  })

  it('gives up after one retry: a second 401 is the answer', async () => {
    setAccessTokenProvider(() => 'token')
    const handler = vi.fn(() => Promise.resolve(true))
    setUnauthorizedHandler(handler)
    fetchMock.mockResolvedValueOnce(expired()).mockResolvedValueOnce(expired())

    const error = await rejectionOf(apiGet('/api/v1/user/me'))

    expect(error).toMatchObject({ status: 401, code: 'invalid_token' })
    expect(handler).toHaveBeenCalledTimes(1)
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })

  it('does not retry when the handler could not renew the session', async () => {
    setAccessTokenProvider(() => 'token')
    setUnauthorizedHandler(() => Promise.resolve(false))
    fetchMock.mockResolvedValueOnce(expired())

    const error = await rejectionOf(apiGet('/api/v1/user/me'))

    expect(error).toMatchObject({ status: 401, code: 'invalid_token' })
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })

  it.each(['invalid_credentials', 'invalid_mfa_code', 'account_locked', 'mfa_required'])(
    'leaves a 401 %s alone: the user typed something wrong, the token is fine',
    async (code) => {
      setAccessTokenProvider(() => 'token')
      const handler = vi.fn(() => Promise.resolve(true))
      setUnauthorizedHandler(handler)
      fetchMock.mockResolvedValueOnce(
        jsonResponse(401, {
          error: { type: 'authentication_error', code, message: 'No.', param: 'code' },
        }),
      )

      const error = await rejectionOf(apiPost('/api/v1/user/me/2fa/disable', { code: '000000' }))

      expect(error).toMatchObject({ status: 401, code })
      expect(handler).not.toHaveBeenCalled()
      expect(fetchMock).toHaveBeenCalledTimes(1)
    },
  )

  it('does not renew for a request sent without a token, signed out or anonymous', async () => {
    const handler = vi.fn(() => Promise.resolve(true))
    setUnauthorizedHandler(handler)
    fetchMock.mockResolvedValueOnce(expired()).mockResolvedValueOnce(expired())

    setAccessTokenProvider(() => null)
    await rejectionOf(apiGet('/api/v1/user/me'))
    setAccessTokenProvider(() => 'token')
    await rejectionOf(apiPost('/api/v1/user/auth/refresh', {}, { isAnonymous: true }))

    expect(handler).not.toHaveBeenCalled()
    expect(authorizationHeaders()).toEqual([null, null])
  })

  it('sends the token but leaves the 401 to the caller when renewal is skipped', async () => {
    setAccessTokenProvider(() => 'token')
    const handler = vi.fn(() => Promise.resolve(true))
    setUnauthorizedHandler(handler)
    fetchMock.mockResolvedValueOnce(expired())

    const error = await rejectionOf(
      apiPost('/api/v1/user/me/2fa/verify', { code: '123456' }, { isTokenRenewalSkipped: true }),
    )

    expect(error).toMatchObject({ status: 401, code: 'invalid_token' })
    expect(handler).not.toHaveBeenCalled()
    expect(authorizationHeaders()).toEqual(['Bearer token'])
  })
})
