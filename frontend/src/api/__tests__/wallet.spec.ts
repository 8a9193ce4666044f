import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import {
  ADDRESS_WIRE,
  balanceWire,
  depositWire,
  DESTINATION_ADDRESS,
  NEW_DEPOSIT_ADDRESS,
  page,
  quoteWire,
  transferWire,
  TXID,
  withdrawalWire,
  WITHDRAWAL_TXID,
} from '@/__tests__/walletFixtures'
import { InvalidAmountError } from '@/lib/money'

import { ApiError, setAccessTokenProvider } from '../http'
import {
  depositAddressGet,
  depositAddressRotate,
  depositsList,
  transfersList,
  walletBalanceGet,
  withdrawalGet,
  withdrawalQuoteGet,
  withdrawalQuoteMaxGet,
  withdrawalRequest,
  withdrawalsList,
} from '../wallet'

let api: FakeApi

beforeEach(() => {
  api = installFakeApi()
  setAccessTokenProvider(() => 'access-1')
})

afterEach(() => {
  setAccessTokenProvider(() => null)
})

interface ClientCase {
  name: string
  call: () => Promise<unknown>
  route: string
  url: string
  body: unknown
  idempotencyKey: string | undefined
  response: () => Response
  result: unknown
}

const CASES: ClientCase[] = [
  {
    name: 'walletBalanceGet',
    call: () => walletBalanceGet(),
    route: 'GET /api/v1/wallet/balance',
    url: '/api/v1/wallet/balance',
    body: undefined,
    idempotencyKey: undefined,
    response: () => jsonResponse(200, balanceWire()),
    result: {
      user_id: '6f1c2b7e-1111-4c3d-9e8f-0a1b2c3d4e5f',
      available_koinu: 500_000_000n,
      held_koinu: 201_000_000n,
      incoming_koinu: 250_000_000n,
      is_frozen: false,
      held_by_reason: [{ reason: 'withdrawal', amount_koinu: 201_000_000n }],
      holds: [
        {
          hold_id: '0b7f4a52-2222-4e0d-8f3a-5b6c7d8e9f00',
          amount_koinu: 201_000_000n,
          reason: 'withdrawal',
          reference: { withdrawal_id: 'wd-1', address: DESTINATION_ADDRESS },
          holding_account: 'withdrawals_in_flight',
          created_at: '2025-03-01T11:00:00Z',
          expires_at: null,
        },
      ],
    },
  },
  {
    name: 'depositAddressGet',
    call: () => depositAddressGet(),
    route: 'GET /api/v1/wallet/deposit-address',
    url: '/api/v1/wallet/deposit-address',
    body: undefined,
    idempotencyKey: undefined,
    response: () => jsonResponse(200, ADDRESS_WIRE),
    result: ADDRESS_WIRE,
  },
  {
    name: 'depositAddressRotate',
    call: () => depositAddressRotate('key-rotate'),
    route: 'POST /api/v1/wallet/deposit-address',
    url: '/api/v1/wallet/deposit-address',
    body: {},
    idempotencyKey: 'key-rotate',
    response: () =>
      jsonResponse(201, { ...ADDRESS_WIRE, address: NEW_DEPOSIT_ADDRESS, uri: `dogecoin:${NEW_DEPOSIT_ADDRESS}` }),
    result: { ...ADDRESS_WIRE, address: NEW_DEPOSIT_ADDRESS, uri: `dogecoin:${NEW_DEPOSIT_ADDRESS}` },
  },
  {
    name: 'depositsList',
    call: () => depositsList({ limit: 10, starting_after: 'dep-0' }),
    route: 'GET /api/v1/wallet/deposits',
    url: '/api/v1/wallet/deposits?limit=10&starting_after=dep-0',
    body: undefined,
    idempotencyKey: undefined,
    response: () => jsonResponse(200, page([depositWire({ status: 'confirming', confirmations: 2, block_height: 120 })], true)),
    result: {
      data: [
        {
          id: 'dep-1',
          address: 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn',
          txid: TXID,
          vout: 1,
          amount_koinu: 250_000_000n,
          status: 'confirming',
          confirmations: 2,
          required_confirmations: 6,
          block_height: 120,
          first_seen_at: '2025-03-01T12:00:00Z',
          credited_at: null,
        },
      ],
      has_more: true,
    },
  },
  {
    name: 'transfersList',
    call: () => transfersList({ limit: 20, reason: 'deposit', starting_after: 'trf-0' }),
    route: 'GET /api/v1/wallet/transfers',
    url: '/api/v1/wallet/transfers?limit=20&reason=deposit&starting_after=trf-0',
    body: undefined,
    idempotencyKey: undefined,
    response: () => jsonResponse(200, page([transferWire()])),
    result: {
      data: [
        {
          id: 'trf-1',
          kind: 'single',
          direction: 'in',
          amount_koinu: 700_000_000n,
          signed_amount_koinu: 700_000_000n,
          status: 'posted',
          reason: 'deposit',
          reference: { txid: TXID, vout: 1, credit_number: 1 },
          counterparty: 'custody',
          pending_id: null,
          created_at: '2025-03-01T10:30:00Z',
        },
      ],
      has_more: false,
    },
  },
  {
    name: 'withdrawalQuoteGet',
    call: () => withdrawalQuoteGet(12_345_678_901n, DESTINATION_ADDRESS),
    route: 'GET /api/v1/wallet/withdrawals/quote',
    url: `/api/v1/wallet/withdrawals/quote?amount_koinu=12345678901&address=${DESTINATION_ADDRESS}`,
    body: undefined,
    idempotencyKey: undefined,
    response: () => jsonResponse(200, quoteWire('12345678901')),
    result: {
      amount_koinu: 12_345_678_901n,
      fee_koinu: 1_000_000n,
      total_koinu: 12_346_678_901n,
      estimated_size_bytes: 226,
      fee_per_kb_koinu: 1_000_000n,
    },
  },
  {
    name: 'withdrawalQuoteMaxGet',
    call: () => withdrawalQuoteMaxGet(),
    route: 'GET /api/v1/wallet/withdrawals/quote',
    url: '/api/v1/wallet/withdrawals/quote?max=true',
    body: undefined,
    idempotencyKey: undefined,
    response: () => jsonResponse(200, quoteWire('499000000')),
    result: {
      amount_koinu: 499_000_000n,
      fee_koinu: 1_000_000n,
      total_koinu: 500_000_000n,
      estimated_size_bytes: 226,
      fee_per_kb_koinu: 1_000_000n,
    },
  },
  {
    name: 'withdrawalRequest',
    // Beyond Number.MAX_SAFE_INTEGER: the amount must travel as digits, exactly.
    call: () => withdrawalRequest({ address: DESTINATION_ADDRESS, amount_koinu: 9_007_199_254_740_993n }, 'key-1'),
    route: 'POST /api/v1/wallet/withdrawals',
    url: '/api/v1/wallet/withdrawals',
    body: { address: DESTINATION_ADDRESS, amount_koinu: '9007199254740993' },
    idempotencyKey: 'key-1',
    response: () =>
      jsonResponse(201, withdrawalWire({ amount_koinu: '9007199254740993', status: 'awaiting_approval' })),
    result: {
      id: 'wd-1',
      address: DESTINATION_ADDRESS,
      amount_koinu: 9_007_199_254_740_993n,
      fee_koinu: 1_000_000n,
      status: 'awaiting_approval',
      txid: null,
      confirmations: 0,
      created_at: '2025-03-01T11:00:00Z',
      failure_reason: null,
    },
  },
  {
    name: 'withdrawalsList',
    call: () => withdrawalsList({ limit: 10 }),
    route: 'GET /api/v1/wallet/withdrawals',
    url: '/api/v1/wallet/withdrawals?limit=10',
    body: undefined,
    idempotencyKey: undefined,
    response: () =>
      jsonResponse(200, page([withdrawalWire({ status: 'broadcast', txid: WITHDRAWAL_TXID, confirmations: 1 })])),
    result: {
      data: [
        {
          id: 'wd-1',
          address: DESTINATION_ADDRESS,
          amount_koinu: 200_000_000n,
          fee_koinu: 1_000_000n,
          status: 'broadcast',
          txid: WITHDRAWAL_TXID,
          confirmations: 1,
          created_at: '2025-03-01T11:00:00Z',
          failure_reason: null,
        },
      ],
      has_more: false,
    },
  },
  {
    name: 'withdrawalGet',
    call: () => withdrawalGet('wd/1'),
    route: 'GET /api/v1/wallet/withdrawals/wd%2F1',
    url: '/api/v1/wallet/withdrawals/wd%2F1',
    body: undefined,
    idempotencyKey: undefined,
    response: () => jsonResponse(200, withdrawalWire({ status: 'failed', failure_reason: 'inputs spent' })),
    result: {
      id: 'wd-1',
      address: DESTINATION_ADDRESS,
      amount_koinu: 200_000_000n,
      fee_koinu: 1_000_000n,
      status: 'failed',
      txid: null,
      confirmations: 0,
      created_at: '2025-03-01T11:00:00Z',
      failure_reason: 'inputs spent',
    },
  },
]

describe('wallet-service client', () => {
  it.each(CASES)('$name sends exactly the contract request and decodes the answer', async (testCase) => {
    api.on(testCase.route, testCase.response)

    await expect(testCase.call()).resolves.toEqual(testCase.result)

    expect(api.requests).toHaveLength(1)
    const [request] = api.requests
    expect(request?.url).toBe(testCase.url)
    expect(request?.body).toEqual(testCase.body)
    expect(request?.credentials).toBe('same-origin')
    expect(request?.headers.authorization).toBe('Bearer access-1')
    expect(request?.headers['idempotency-key']).toBe(testCase.idempotencyKey)
  })

  it('covers every exported call', () => {
    expect(CASES.map((testCase) => testCase.name).sort()).toEqual([
      'depositAddressGet',
      'depositAddressRotate',
      'depositsList',
      'transfersList',
      'walletBalanceGet',
      'withdrawalGet',
      'withdrawalQuoteGet',
      'withdrawalQuoteMaxGet',
      'withdrawalRequest',
      'withdrawalsList',
    ])
  })

  it('leaves the DOGE display strings out: amounts are bigint koinu only', async () => {
    api.on('GET /api/v1/wallet/balance', () => jsonResponse(200, balanceWire()))

    const balance = await walletBalanceGet()

    expect(Object.keys(balance).sort()).toEqual([
      'available_koinu',
      'held_by_reason',
      'held_koinu',
      'holds',
      'incoming_koinu',
      'is_frozen',
      'user_id',
    ])
    expect(typeof balance.available_koinu).toBe('bigint')
  })

  it('refuses an amount sent as a JSON number, which may already have lost precision', async () => {
    api.on('GET /api/v1/wallet/balance', () => jsonResponse(200, balanceWire({ available_koinu: 500000000 })))

    const error: unknown = await walletBalanceGet().catch((caught: unknown) => caught)

    expect(error).toBeInstanceOf(InvalidAmountError)
    expect(error).toMatchObject({ reason: 'malformed' })
  })

  it('passes the service’s error through as an ApiError', async () => {
    api.on('POST /api/v1/wallet/withdrawals', () =>
      errorResponse(403, {
        code: 'mfa_required',
        message: 'This action needs two-factor verification.',
        type: 'permission_denied',
      }),
    )

    const error: unknown = await withdrawalRequest({ address: DESTINATION_ADDRESS, amount_koinu: 1n }, 'k').catch(
      (caught: unknown) => caught,
    )

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      status: 403,
      type: 'permission_denied',
      code: 'mfa_required',
      message: 'This action needs two-factor verification.',
      param: null,
    })
  })
})
