import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { errorResponse, installFakeApi, jsonResponse, noContent, type FakeApi } from '@/__tests__/fakeApi'

import { ApiError, setAccessTokenProvider } from '../http'
import {
  authLogin,
  authLoginTwoFactor,
  authLogout,
  authRefresh,
  authRegister,
  authResendVerification,
  authVerifyEmail,
  isMfaChallenge,
  meGet,
  passwordChange,
  passwordForgot,
  passwordReset,
  profileUpdate,
  sellerGet,
  sessionRevoke,
  sessionsList,
  twoFactorConfirm,
  twoFactorDisable,
  twoFactorEnroll,
  twoFactorRecoveryCodesRegenerate,
  twoFactorVerify,
  type SellerProfile,
} from '../user'

let api: FakeApi

beforeEach(() => {
  api = installFakeApi()
  setAccessTokenProvider(() => 'access-1')
})

afterEach(() => {
  setAccessTokenProvider(() => null)
})

const SESSION_PAGE = {
  data: [
    {
      id: 'ses_1',
      created_at: '2025-03-01T10:00:00Z',
      last_used_at: '2025-03-02T11:00:00Z',
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0',
      ip_address: '192.0.2.1',
      current: true,
    },
  ],
  has_more: false,
}

const SELLER: SellerProfile = {
  id: '5a1ce000-1111-4222-8333-944455556666',
  username: 'alice',
  display_name: 'Alice A.',
  avatar_url: '',
  location: 'Lyon',
  bio: 'Vintage cameras.',
  member_since: '2025-01-02T12:00:00Z',
  rating: { count: 0, average: null },
  listing_count: 3,
}

interface ClientCase {
  name: string
  call: () => Promise<unknown>
  route: string
  url: string
  body: unknown
  isAnonymous: boolean
  response: () => Response
  result: unknown
}

const CASES: ClientCase[] = [
  {
    name: 'authRegister',
    call: () => authRegister({ email: 'a@example.test', username: 'alice', password: 'pw' }),
    route: 'POST /api/v1/user/auth/register',
    url: '/api/v1/user/auth/register',
    body: { email: 'a@example.test', username: 'alice', password: 'pw' },
    isAnonymous: true,
    response: () => jsonResponse(201, { user: ALICE }),
    result: { user: ALICE },
  },
  {
    name: 'authVerifyEmail',
    call: () => authVerifyEmail('tok'),
    route: 'POST /api/v1/user/auth/verify-email',
    url: '/api/v1/user/auth/verify-email',
    body: { token: 'tok' },
    isAnonymous: true,
    response: () => jsonResponse(200, { user: ALICE }),
    result: { user: ALICE },
  },
  {
    name: 'authResendVerification',
    call: () => authResendVerification('a@example.test'),
    route: 'POST /api/v1/user/auth/resend-verification',
    url: '/api/v1/user/auth/resend-verification',
    body: { email: 'a@example.test' },
    isAnonymous: true,
    response: () => jsonResponse(202, {}),
    result: undefined,
  },
  {
    name: 'authLogin',
    call: () => authLogin({ login: 'alice', password: 'pw' }),
    route: 'POST /api/v1/user/auth/login',
    url: '/api/v1/user/auth/login',
    body: { login: 'alice', password: 'pw' },
    isAnonymous: true,
    response: () => jsonResponse(200, tokensFor(ALICE, 'access-2')),
    result: tokensFor(ALICE, 'access-2'),
  },
  {
    name: 'authLoginTwoFactor',
    call: () => authLoginTwoFactor({ mfa_token: 'mfa', code: '123456' }),
    route: 'POST /api/v1/user/auth/login/2fa',
    url: '/api/v1/user/auth/login/2fa',
    body: { mfa_token: 'mfa', code: '123456' },
    isAnonymous: true,
    response: () => jsonResponse(200, tokensFor(ALICE, 'access-2')),
    result: tokensFor(ALICE, 'access-2'),
  },
  {
    name: 'authRefresh',
    call: () => authRefresh(),
    route: 'POST /api/v1/user/auth/refresh',
    url: '/api/v1/user/auth/refresh',
    body: {},
    isAnonymous: true,
    response: () => jsonResponse(200, tokensFor(ALICE, 'access-2')),
    result: tokensFor(ALICE, 'access-2'),
  },
  {
    name: 'authLogout',
    call: () => authLogout(),
    route: 'POST /api/v1/user/auth/logout',
    url: '/api/v1/user/auth/logout',
    body: {},
    isAnonymous: false,
    response: noContent,
    result: undefined,
  },
  {
    name: 'passwordForgot',
    call: () => passwordForgot('a@example.test'),
    route: 'POST /api/v1/user/auth/password/forgot',
    url: '/api/v1/user/auth/password/forgot',
    body: { email: 'a@example.test' },
    isAnonymous: true,
    response: () => jsonResponse(202, {}),
    result: undefined,
  },
  {
    name: 'passwordReset',
    call: () => passwordReset({ token: 'tok', new_password: 'new pw' }),
    route: 'POST /api/v1/user/auth/password/reset',
    url: '/api/v1/user/auth/password/reset',
    body: { token: 'tok', new_password: 'new pw' },
    isAnonymous: true,
    response: noContent,
    result: undefined,
  },
  {
    name: 'meGet',
    call: () => meGet(),
    route: 'GET /api/v1/user/me',
    url: '/api/v1/user/me',
    body: undefined,
    isAnonymous: false,
    response: () => jsonResponse(200, { user: ALICE }),
    result: { user: ALICE },
  },
  {
    name: 'profileUpdate',
    call: () => profileUpdate({ location: 'Paris', bio: '' }),
    route: 'PATCH /api/v1/user/me/profile',
    url: '/api/v1/user/me/profile',
    body: { location: 'Paris', bio: '' },
    isAnonymous: false,
    response: () => jsonResponse(200, { profile: { ...ALICE.profile, location: 'Paris', bio: '' } }),
    result: { profile: { ...ALICE.profile, location: 'Paris', bio: '' } },
  },
  {
    name: 'passwordChange',
    call: () => passwordChange({ current_password: 'old', new_password: 'new' }),
    route: 'POST /api/v1/user/me/password',
    url: '/api/v1/user/me/password',
    body: { current_password: 'old', new_password: 'new' },
    isAnonymous: false,
    response: noContent,
    result: undefined,
  },
  {
    name: 'sessionsList',
    call: () => sessionsList({ limit: 20, starting_after: 'ses_0' }),
    route: 'GET /api/v1/user/me/sessions',
    url: '/api/v1/user/me/sessions?limit=20&starting_after=ses_0',
    body: undefined,
    isAnonymous: false,
    response: () => jsonResponse(200, SESSION_PAGE),
    result: SESSION_PAGE,
  },
  {
    name: 'sessionRevoke',
    call: () => sessionRevoke('ses/2'),
    route: 'DELETE /api/v1/user/me/sessions/ses%2F2',
    url: '/api/v1/user/me/sessions/ses%2F2',
    body: undefined,
    isAnonymous: false,
    response: noContent,
    result: undefined,
  },
  {
    name: 'twoFactorEnroll',
    call: () => twoFactorEnroll(),
    route: 'POST /api/v1/user/me/2fa/enroll',
    url: '/api/v1/user/me/2fa/enroll',
    body: {},
    isAnonymous: false,
    response: () => jsonResponse(200, { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/x' }),
    result: { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/x' },
  },
  {
    name: 'twoFactorConfirm',
    call: () => twoFactorConfirm('123456'),
    route: 'POST /api/v1/user/me/2fa/confirm',
    url: '/api/v1/user/me/2fa/confirm',
    body: { code: '123456' },
    isAnonymous: false,
    response: () => jsonResponse(200, { recovery_codes: ['a', 'b'] }),
    result: { recovery_codes: ['a', 'b'] },
  },
  {
    name: 'twoFactorDisable',
    call: () => twoFactorDisable('123456'),
    route: 'POST /api/v1/user/me/2fa/disable',
    url: '/api/v1/user/me/2fa/disable',
    body: { code: '123456' },
    isAnonymous: false,
    response: noContent,
    result: undefined,
  },
  {
    name: 'twoFactorRecoveryCodesRegenerate',
    call: () => twoFactorRecoveryCodesRegenerate('123456'),
    route: 'POST /api/v1/user/me/2fa/recovery-codes',
    url: '/api/v1/user/me/2fa/recovery-codes',
    body: { code: '123456' },
    isAnonymous: false,
    response: () => jsonResponse(200, { recovery_codes: ['c'] }),
    result: { recovery_codes: ['c'] },
  },
  {
    name: 'twoFactorVerify',
    call: () => twoFactorVerify('123456'),
    route: 'POST /api/v1/user/me/2fa/verify',
    url: '/api/v1/user/me/2fa/verify',
    body: { code: '123456' },
    isAnonymous: false,
    response: () => jsonResponse(200, tokensFor(ALICE, 'access-fresh')),
    result: tokensFor(ALICE, 'access-fresh'),
  },
  {
    name: 'sellerGet',
    call: () => sellerGet('Ada Lovelace'),
    route: 'GET /api/v1/user/sellers/Ada%20Lovelace',
    url: '/api/v1/user/sellers/Ada%20Lovelace',
    body: undefined,
    isAnonymous: true,
    response: () => jsonResponse(200, SELLER),
    result: SELLER,
  },
]

describe('user-service client', () => {
  it.each(CASES)('$name sends exactly the contract request and returns the body', async (testCase) => {
    api.on(testCase.route, testCase.response)

    await expect(testCase.call()).resolves.toEqual(testCase.result)

    expect(api.requests).toHaveLength(1)
    const [request] = api.requests
    expect(request?.url).toBe(testCase.url)
    expect(request?.body).toEqual(testCase.body)
    expect(request?.credentials).toBe('same-origin')
    expect(request?.headers.authorization).toBe(testCase.isAnonymous ? undefined : 'Bearer access-1')
  })

  it('covers every exported call of the contract', () => {
    expect(CASES.map((testCase) => testCase.name).sort()).toEqual([
      'authLogin',
      'authLoginTwoFactor',
      'authLogout',
      'authRefresh',
      'authRegister',
      'authResendVerification',
      'authVerifyEmail',
      'meGet',
      'passwordChange',
      'passwordForgot',
      'passwordReset',
      'profileUpdate',
      'sellerGet',
      'sessionRevoke',
      'sessionsList',
      'twoFactorConfirm',
      'twoFactorDisable',
      'twoFactorEnroll',
      'twoFactorRecoveryCodesRegenerate',
      'twoFactorVerify',
    ])
  })

  it('tells an MFA challenge from tokens', async () => {
    api.on('POST /api/v1/user/auth/login', () =>
      jsonResponse(200, { mfa_required: true, mfa_token: 'mfa-1', expires_in: 300 }),
    )

    const result = await authLogin({ login: 'alice', password: 'pw' })

    expect(isMfaChallenge(result)).toBe(true)
    expect(result).toEqual({ mfa_required: true, mfa_token: 'mfa-1', expires_in: 300 })
    expect(isMfaChallenge(tokensFor(ALICE, 'access-2'))).toBe(false)
  })

  it('passes the API error through as an ApiError with its param', async () => {
    api.on('POST /api/v1/user/auth/register', () =>
      errorResponse(409, { code: 'username_taken', message: 'Username taken.', param: 'username' }),
    )

    const error: unknown = await authRegister({ email: 'a@x.test', username: 'alice', password: 'pw' }).catch(
      (caught: unknown) => caught,
    )

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 409, code: 'username_taken', param: 'username' })
  })
})
