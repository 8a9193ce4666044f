/**
 * The one HTTP client every service module uses.
 *
 * Requests go to the same origin (base URL ""): in production and under `make up` the gateway
 * serves this app and routes /api to the services; `npm run dev` proxies /api to that gateway.
 * Every service speaks the same API style (docs: ARCHITECTURE.md §3), so one client covers them:
 * JSON bodies, bearer tokens, `Idempotency-Key` on POSTs, cursor pages and one error shape.
 */

export const API_BASE_URL = ''

/** An ISO 8601 timestamp with a timezone, as the services send it. */
export type IsoDateTime = string

/** The body of every error response: `{"error": {"type", "code", "message", "param"}}`. */
export interface ApiErrorBody {
  /** Broad class, for example `invalid_request`. */
  type: string
  /** Machine-readable reason, for example `insufficient_funds`. */
  code: string
  /** Human-readable explanation. */
  message: string
  /** The request field at fault, if any (for example `amount`). */
  param: string | null
}

/** A failed call: the service's error object plus the HTTP status (0 if no response arrived). */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  readonly type: string
  readonly code: string
  readonly param: string | null
  /** From a `Retry-After` header (429, 503): how long to wait before trying again, else null. */
  readonly retryAfterSeconds: number | null

  constructor(
    status: number,
    body: ApiErrorBody,
    options?: { cause?: unknown; retryAfterSeconds?: number | null },
  ) {
    super(body.message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.status = status
    this.type = body.type
    this.code = body.code
    this.param = body.param
    this.retryAfterSeconds = options?.retryAfterSeconds ?? null
  }
}

/** One page of a list: `{"data": [...], "has_more": bool}`. */
export interface Page<T> {
  data: T[]
  has_more: boolean
}

/** Cursor parameters every list endpoint accepts (ids of the items to page after or before). */
export interface PageParams {
  limit?: number
  starting_after?: string
  ending_before?: string
}

export type QueryValue = string | number | boolean | bigint | null | undefined
export type QueryParams = Record<string, QueryValue>

export interface RequestOptions {
  /** Query string parameters; `null` and `undefined` values are left out. */
  query?: QueryParams
  signal?: AbortSignal
  /**
   * Send no access token. For public endpoints and for the calls that manage the session
   * themselves (sign-in, refresh, sign-out: the API knows those by body or cookie), where a stale
   * token would only earn a 401.
   */
  isAnonymous?: boolean
  /**
   * Send the access token, but on a 401 do not renew it and retry: throw the 401 to the caller.
   * For a call made while holding the token-refresh lock (useSessionStore.sessionStepUp), whose
   * renewal would wait for that same lock.
   */
  isTokenRenewalSkipped?: boolean
}

export interface PostOptions extends RequestOptions {
  /**
   * Sent as `Idempotency-Key`. Create one per user intent with createIdempotencyKey() and reuse
   * it when retrying the same intent, so the service replays its first answer instead of, say,
   * placing a second bid.
   */
  idempotencyKey?: string
}

export type AccessTokenProvider = () => string | null

/**
 * Called when a request sent with `rejectedAccessToken` got a 401. Resolves true once a usable
 * token is in place (renewed now, or already renewed by someone else), false if the session is gone.
 */
export type UnauthorizedHandler = (rejectedAccessToken: string) => Promise<boolean>

let accessTokenProvider: AccessTokenProvider = () => null
let unauthorizedHandler: UnauthorizedHandler | null = null

/**
 * 401 codes that mean "what the user typed is wrong", not "your access token is stale": renewing
 * the token and retrying would only repeat the failure (and spend a rate-limited attempt).
 */
const CREDENTIAL_ERROR_CODES: ReadonlySet<string> = new Set([
  'invalid_credentials',
  'invalid_mfa_code',
  'account_locked',
  'mfa_required',
])

/**
 * Whether a failed call means "the access token was refused" (renewing it may help), as opposed
 * to a 401 about what the user typed (a wrong password or code).
 */
export function isAccessTokenRejection(error: ApiError): boolean {
  return error.status === 401 && !CREDENTIAL_ERROR_CODES.has(error.code)
}

/** Sets where the client gets the bearer token for each request (main.ts: the session store). */
export function setAccessTokenProvider(provider: AccessTokenProvider): void {
  accessTokenProvider = provider
}

/** Sets who renews the access token after a 401 (main.ts: the session store); null for nobody. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler
}

export function createIdempotencyKey(): string {
  return crypto.randomUUID()
}

export function apiGet<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return apiRequest<T>('GET', path, { ...options })
}

export function apiPost<T>(path: string, body: unknown, options: PostOptions = {}): Promise<T> {
  return apiRequest<T>('POST', path, { ...options, body })
}

export function apiPatch<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
  return apiRequest<T>('PATCH', path, { ...options, body })
}

export function apiPut<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
  return apiRequest<T>('PUT', path, { ...options, body })
}

export function apiDelete<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return apiRequest<T>('DELETE', path, { ...options })
}

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

interface ApiRequestInit extends PostOptions {
  body?: unknown
  /** Set on the one retry after a token renewal, so a second 401 is final. */
  isRetry?: boolean
}

/**
 * Sends one request and returns the parsed JSON body (undefined for 204 No Content).
 * Throws ApiError for any non-2xx answer and for network failures; an aborted request
 * rejects with the AbortError from fetch, untouched.
 *
 * A 401 to a request that carried an access token goes to the unauthorized handler once; if it
 * renews the token, the request is sent again with the new one and that answer is final.
 */
export async function apiRequest<T>(
  method: HttpMethod,
  path: string,
  init: ApiRequestInit = {},
): Promise<T> {
  const accessToken = init.isAnonymous === true ? null : accessTokenProvider()
  const response = await send(method, path, init, accessToken)
  const text = await response.text()
  if (!response.ok) {
    const error = apiErrorFrom(response, text)
    if (
      isAccessTokenRejection(error) &&
      accessToken !== null &&
      init.isRetry !== true &&
      init.isTokenRenewalSkipped !== true &&
      unauthorizedHandler !== null
    ) {
      if (await unauthorizedHandler(accessToken)) {
        return apiRequest<T>(method, path, { ...init, isRetry: true })
      }
    }
    throw error
  }
  if (text === '') {
    return undefined as T
  }
  try {
    return JSON.parse(text) as T
  } catch (error) {
    throw new ApiError(
      response.status,
      {
        type: 'api_error',
        code: 'invalid_json',
        message: 'The server sent a response that is not valid JSON.',
        param: null,
      },
      { cause: error },
    )
  }
}

async function send(
  method: HttpMethod,
  path: string,
  init: ApiRequestInit,
  accessToken: string | null,
): Promise<Response> {
  const headers = new Headers({ Accept: 'application/json' })
  if (accessToken) {
    headers.set('Authorization', `Bearer ${accessToken}`)
  }
  if (init.idempotencyKey !== undefined) {
    headers.set('Idempotency-Key', init.idempotencyKey)
  }

  let body: string | undefined
  if (init.body !== undefined) {
    headers.set('Content-Type', 'application/json')
    body = JSON.stringify(init.body, bigintAsDigits)
  }

  try {
    return await fetch(buildUrl(path, init.query), {
      method,
      headers,
      body,
      signal: init.signal,
      credentials: 'same-origin',
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      throw error
    }
    throw new ApiError(
      0,
      {
        type: 'network_error',
        code: 'network_unreachable',
        message: 'Could not reach dBay. Check your connection and try again.',
        param: null,
      },
      { cause: error },
    )
  }
}

function buildUrl(path: string, query: QueryParams | undefined): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined) {
      search.append(name, String(value))
    }
  }
  const queryString = search.toString()
  return `${API_BASE_URL}${path}${queryString === '' ? '' : `?${queryString}`}`
}

/** Amounts travel as strings of digits (`"amount_koinu": "150000000"`), never as numbers. */
function bigintAsDigits(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

/** What the error decoding reads of an answer (a fetch Response, or an upload's XMLHttpRequest). */
interface AnswerHead {
  status: number
  statusText: string
  headers: { get: (name: string) => string | null }
}

function apiErrorFrom(response: AnswerHead, text: string): ApiError {
  return new ApiError(response.status, errorBodyFrom(response, text), {
    retryAfterSeconds: retryAfterSecondsFrom(response.headers.get('Retry-After')),
  })
}

/** `Retry-After` is either a number of seconds or an HTTP date. */
function retryAfterSecondsFrom(header: string | null): number | null {
  if (header === null || header.trim() === '') {
    return null
  }
  if (/^\d+$/.test(header.trim())) {
    return Number.parseInt(header.trim(), 10)
  }
  const date = Date.parse(header)
  if (Number.isNaN(date)) {
    return null
  }
  return Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

function errorBodyFrom(response: AnswerHead, text: string): ApiErrorBody {
  try {
    const parsed: unknown = JSON.parse(text)
    if (isErrorEnvelope(parsed)) {
      const { type, code, message, param } = parsed.error
      return { type, code, message, param: param ?? null }
    }
  } catch {
    // Not JSON (a proxy's HTML error page, say): fall through to the generic error below.
  }
  return {
    type: 'api_error',
    code: `http_${response.status}`,
    message: response.statusText || `Request failed with status ${response.status}.`,
    param: null,
  }
}

interface ErrorEnvelope {
  error: { type: string; code: string; message: string; param?: string | null }
}

function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null || !('error' in value)) {
    return false
  }
  const error: unknown = value.error
  if (typeof error !== 'object' || error === null) {
    return false
  }
  const fields = error as Record<string, unknown>
  return (
    typeof fields.type === 'string' &&
    typeof fields.code === 'string' &&
    typeof fields.message === 'string' &&
    (fields.param === undefined || fields.param === null || typeof fields.param === 'string')
  )
}

export interface UploadOptions extends PostOptions {
  /** Called as the body goes out: bytes sent so far and the total. */
  onProgress?: (sentBytes: number, totalBytes: number) => void
}

/**
 * POSTs one file as `multipart/form-data` (field `field`) and returns the parsed JSON answer.
 * XMLHttpRequest, not fetch, because only it reports upload progress. Same token, 401 renewal and
 * ApiError as every other call.
 */
export async function apiUpload<T>(
  path: string,
  field: string,
  file: Blob,
  options: UploadOptions = {},
  isRetry = false,
): Promise<T> {
  const accessToken = options.isAnonymous === true ? null : accessTokenProvider()
  const form = new FormData()
  form.append(field, file)
  const response = await uploadSend(path, form, options, accessToken)
  if (!response.ok) {
    const error = apiErrorFrom(response, response.text)
    if (isAccessTokenRejection(error) && accessToken !== null && !isRetry && unauthorizedHandler !== null) {
      if (await unauthorizedHandler(accessToken)) {
        return apiUpload<T>(path, field, file, options, true)
      }
    }
    throw error
  }
  try {
    return JSON.parse(response.text) as T
  } catch (error) {
    throw new ApiError(
      response.status,
      { type: 'api_error', code: 'invalid_json', message: 'The server sent a response that is not valid JSON.', param: null },
      { cause: error },
    )
  }
}

interface UploadResponse {
  ok: boolean
  status: number
  statusText: string
  text: string
  headers: { get: (name: string) => string | null }
}

function uploadSend(
  path: string,
  form: FormData,
  options: UploadOptions,
  accessToken: string | null,
): Promise<UploadResponse> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open('POST', buildUrl(path, options.query))
    request.setRequestHeader('Accept', 'application/json')
    if (accessToken) {
      request.setRequestHeader('Authorization', `Bearer ${accessToken}`)
    }
    if (options.idempotencyKey !== undefined) {
      request.setRequestHeader('Idempotency-Key', options.idempotencyKey)
    }
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) {
        options.onProgress?.(event.loaded, event.total)
      }
    })
    request.addEventListener('load', () => {
      resolve({
        ok: request.status >= 200 && request.status < 300,
        status: request.status,
        statusText: request.statusText,
        text: request.responseText,
        headers: { get: (name) => request.getResponseHeader(name) },
      })
    })
    request.addEventListener('error', () => {
      reject(
        new ApiError(0, {
          type: 'network_error',
          code: 'network_unreachable',
          message: 'Could not reach dBay. Check your connection and try again.',
          param: null,
        }),
      )
    })
    request.addEventListener('abort', () => reject(new DOMException('The upload was stopped.', 'AbortError')))
    options.signal?.addEventListener('abort', () => request.abort())
    request.send(form)
  })
}
