import { useQueryCache } from '@pinia/colada'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { alertTexts, blockText, fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'
import { ADDRESS_WIRE, balanceWire, DESTINATION_ADDRESS, quoteWire, withdrawalWire } from '@/__tests__/walletFixtures'
import { setAccessTokenProvider } from '@/api/http'
import type { Withdrawal } from '@/api/wallet'
import { queryKeys } from '@/lib/queryKeys'
import type { PagedList } from '@/queries/pagedList'
import { useSessionStore } from '@/stores/useSessionStore'

import WalletWithdrawalForm from '../WalletWithdrawalForm.vue'

const QUOTE = 'GET /api/v1/wallet/withdrawals/quote'
const VERIFY = 'POST /api/v1/user/me/2fa/verify'
const WITHDRAW = 'POST /api/v1/wallet/withdrawals'
const ALICE_2FA = { ...ALICE, two_factor_enabled: true }
const OFFLINE = () => Promise.reject(new TypeError('Failed to fetch'))

let api: FakeApi
let wrapper: VueWrapper

beforeEach(() => {
  api = installFakeApi({
    'GET /api/v1/wallet/balance': () => jsonResponse(200, balanceWire()),
    'GET /api/v1/wallet/deposit-address': () => jsonResponse(200, ADDRESS_WIRE),
    'GET /api/v1/wallet/transfers': () => jsonResponse(200, { data: [], has_more: false }),
    'GET /api/v1/wallet/withdrawals': () => jsonResponse(200, { data: [], has_more: false }),
    [QUOTE]: () => jsonResponse(200, quoteWire()),
    [VERIFY]: () => jsonResponse(200, tokensFor(ALICE_2FA, 'access-mfa')),
    [WITHDRAW]: () => jsonResponse(201, withdrawalWire()),
  })
})

afterEach(() => {
  wrapper.unmount()
  setAccessTokenProvider(() => null)
})

async function mountForm(user = ALICE_2FA, balance: Record<string, unknown> = {}): Promise<void> {
  const page = await mountPage(WalletWithdrawalForm, {
    beforeNavigation: () => {
      api.on('GET /api/v1/wallet/balance', () => jsonResponse(200, balanceWire(balance)))
      const session = useSessionStore()
      session.sessionStart(tokensFor(user, 'access-1'))
      setAccessTokenProvider(() => session.accessToken)
    },
  })
  wrapper = page.wrapper
  await flushPromises()
  api.requests.length = 0
}

async function submit(label: 'Withdraw DOGE' | 'Confirm withdrawal'): Promise<void> {
  await wrapper.get(`form[aria-label="${label}"]`).trigger('submit')
  await flushPromises()
}

async function review(address = DESTINATION_ADDRESS, amount = '2'): Promise<void> {
  await typeInto(wrapper, 'Dogecoin address', address)
  await typeInto(wrapper, 'Amount (DOGE)', amount)
  await submit('Withdraw DOGE')
}

async function confirmWithCode(code: string | null = '123456'): Promise<void> {
  if (code !== null) {
    await typeInto(wrapper, 'Authentication code', code)
  }
  await submit('Confirm withdrawal')
}

async function clickButton(text: string): Promise<void> {
  const button = wrapper.findAll('button').find((candidate) => candidate.text() === text)
  if (button === undefined) {
    throw new Error(`no button "${text}"`)
  }
  await button.trigger('click')
  await flushPromises()
}

function summary(): string[][] {
  return wrapper
    .findAll('dl[aria-label="Withdrawal summary"] > div')
    .map((row) => [blockText(row.get('dt').element), row.get('dd').text().replace(/\s+/g, ' ')])
}

function keysSent(): (string | undefined)[] {
  return api.requestsTo(WITHDRAW).map((request) => request.headers['idempotency-key'])
}

describe('WalletWithdrawalForm: before the review', () => {
  it('asks a user without 2FA to set it up first, and shows no form', async () => {
    await mountForm(ALICE)

    expect(wrapper.find('form').exists()).toBe(false)
    expect(wrapper.text()).toContain('Withdrawals need two-factor authentication')
    expect(wrapper.get('a').attributes('href')).toBe('/account#account-two-factor-heading')
  })

  it('pauses withdrawals of a frozen wallet', async () => {
    await mountForm(ALICE_2FA, { is_frozen: true })

    expect(wrapper.find('form').exists()).toBe(false)
    expect(wrapper.text()).toBe('Withdrawals are paused while your wallet is under review.')
  })

  it.each([
    ['regtest', 'm… or n…'],
    ['testnet', 'm… or n…'],
    ['mainnet', 'D…'],
  ])('shows what a %s address looks like in the address field', async (network, placeholder) => {
    api.on('GET /api/v1/wallet/deposit-address', () => jsonResponse(200, { ...ADDRESS_WIRE, network }))
    await mountForm()

    expect(fieldByLabel(wrapper, 'Dogecoin address').getAttribute('placeholder')).toBe(placeholder)
  })

  it('shows the available balance under the amount', async () => {
    await mountForm()

    const amount = fieldByLabel(wrapper, 'Amount (DOGE)')
    const hint = document.getElementById(amount.getAttribute('aria-describedby')?.split(' ')[0] ?? '')
    expect(hint?.textContent?.trim()).toBe('Available: Ð 5. The network fee is added on top.')
  })

  it.each([
    ['', '', 'Enter the Dogecoin address to send to.', 'Enter an amount in DOGE.'],
    [DESTINATION_ADDRESS, '1,5', '', 'Enter the amount as a number of DOGE, for example 12.5.'],
    [DESTINATION_ADDRESS, '0.000000001', '', 'DOGE amounts have at most 8 decimal places.'],
    [DESTINATION_ADDRESS, '-2', '', 'The amount cannot be negative.'],
    [DESTINATION_ADDRESS, '0', '', 'Enter an amount above zero.'],
    [
      DESTINATION_ADDRESS,
      '99999999999999999999999',
      '',
      'That amount is larger than any wallet can hold: check the number of digits.',
    ],
    [
      DESTINATION_ADDRESS,
      '92233720368.54775808',
      '',
      'That amount is larger than any wallet can hold: check the number of digits.',
    ],
  ])('checks %j and %j before asking for a quote', async (address, amount, addressError, amountError) => {
    await mountForm()

    await review(address, amount)

    expect(fieldError(fieldByLabel(wrapper, 'Dogecoin address'))).toBe(addressError)
    expect(fieldError(fieldByLabel(wrapper, 'Amount (DOGE)'))).toBe(amountError)
    expect(api.requests).toHaveLength(0)
  })

  it('puts a dust refusal of the quote under the amount', async () => {
    api.on(QUOTE, () =>
      errorResponse(400, {
        code: 'amount_below_dust',
        param: 'amount_koinu',
        message: 'The minimum withdrawal is 1000000 koinu (0.01000000 DOGE): smaller outputs are dust.',
      }),
    )
    await mountForm()

    await review(DESTINATION_ADDRESS, '0.001')

    expect(api.requests.map((request) => request.url)).toEqual([
      `/api/v1/wallet/withdrawals/quote?amount_koinu=100000&address=${DESTINATION_ADDRESS}`,
    ])
    expect(fieldError(fieldByLabel(wrapper, 'Amount (DOGE)'))).toBe(
      'That amount is too small to send: the Dogecoin network won’t relay payments that tiny. The smallest withdrawal is Ð 0.01.',
    )
    expect(wrapper.find('form[aria-label="Confirm withdrawal"]').exists()).toBe(false)
  })

  it.each([
    [
      'amount_too_large',
      'The amount is larger than any balance can be.',
      'That amount is larger than any wallet can hold: check the number of digits.',
    ],
    [
      'invalid_amount',
      'Enter the amount as a whole number of koinu (1 DOGE = 100,000,000 koinu).',
      'Enter the amount as a number of DOGE, for example 12.5.',
    ],
  ])('puts the quote refusal %s under the amount in plain words', async (code, apiMessage, shown) => {
    api.on(QUOTE, () => errorResponse(400, { code, param: 'amount_koinu', message: apiMessage }))
    await mountForm()

    await review(DESTINATION_ADDRESS, '92233720368.54775807')

    expect(api.requests.map((request) => request.url)).toEqual([
      `/api/v1/wallet/withdrawals/quote?amount_koinu=9223372036854775807&address=${DESTINATION_ADDRESS}`,
    ])
    expect(fieldError(fieldByLabel(wrapper, 'Amount (DOGE)'))).toBe(shown)
    expect(wrapper.find('form[aria-label="Confirm withdrawal"]').exists()).toBe(false)
  })
})

describe('WalletWithdrawalForm: the address is checked before the code', () => {
  it.each([
    'This is not a Dogecoin address.',
    'This address is for another Dogecoin network (mainnet); this wallet runs on regtest.',
    'This address has a typo: its checksum does not match.',
    'This is one of your own deposit addresses: DOGE sent there would come straight back to your wallet.',
  ])('shows %j on the address field and asks for no code', async (apiMessage) => {
    api.on(QUOTE, () => errorResponse(400, { code: 'invalid_address', param: 'address', message: apiMessage }))
    await mountForm()

    await review(DESTINATION_ADDRESS, '2')

    expect(api.requests.map((request) => request.url)).toEqual([
      `/api/v1/wallet/withdrawals/quote?amount_koinu=200000000&address=${DESTINATION_ADDRESS}`,
    ])
    expect(fieldError(fieldByLabel(wrapper, 'Dogecoin address'))).toBe(apiMessage)
    expect(fieldError(fieldByLabel(wrapper, 'Amount (DOGE)'))).toBe('')
    expect(wrapper.find('form[aria-label="Confirm withdrawal"]').exists()).toBe(false)
    expect(wrapper.find('input[name="code"]').exists()).toBe(false)
    expect(api.requestsTo(VERIFY)).toHaveLength(0)
  })

  it('goes on to the code step once the address is fixed', async () => {
    api.on(QUOTE, () =>
      errorResponse(400, { code: 'invalid_address', param: 'address', message: 'This is not a Dogecoin address.' }),
    )
    await mountForm()
    await review('DThisIsNotAnAddressAtAllxxxxxxxx', '2')
    api.on(QUOTE, () => jsonResponse(200, quoteWire()))

    await typeInto(wrapper, 'Dogecoin address', DESTINATION_ADDRESS)
    await submit('Withdraw DOGE')

    expect(wrapper.find('form[aria-label="Confirm withdrawal"]').exists()).toBe(true)
    expect(fieldByLabel(wrapper, 'Authentication code')).toBeTruthy()
  })
})

describe('WalletWithdrawalForm: Max', () => {
  it('fills in the largest amount (available minus the fee) and reviews it with a total of the whole balance', async () => {
    api.on(QUOTE, () => jsonResponse(200, quoteWire('499000000')))
    await mountForm()

    await clickButton('Max: all I can withdraw')

    expect(api.requests.map((request) => request.url)).toEqual(['/api/v1/wallet/withdrawals/quote?max=true'])
    expect(fieldByLabel(wrapper, 'Amount (DOGE)').value).toBe('4.99')
    expect(fieldError(fieldByLabel(wrapper, 'Amount (DOGE)'))).toBe('')

    await typeInto(wrapper, 'Dogecoin address', DESTINATION_ADDRESS)
    await submit('Withdraw DOGE')

    expect(api.requests.map((request) => request.url)).toEqual([
      '/api/v1/wallet/withdrawals/quote?max=true',
      `/api/v1/wallet/withdrawals/quote?amount_koinu=499000000&address=${DESTINATION_ADDRESS}`,
    ])
    expect(summary()).toContainEqual(['Total from your balance', 'Ð 5 DOGE'])
  })

  it('says so when the balance does not cover the fee', async () => {
    api.on(QUOTE, () =>
      errorResponse(400, {
        code: 'insufficient_funds',
        param: 'amount_koinu',
        message: 'Your available balance (0.00500000 DOGE) is too small: a withdrawal needs more than the fee.',
      }),
    )
    await mountForm()

    await clickButton('Max: all I can withdraw')

    expect(fieldByLabel(wrapper, 'Amount (DOGE)').value).toBe('')
    expect(fieldError(fieldByLabel(wrapper, 'Amount (DOGE)'))).toBe(
      'Your available balance doesn’t cover the network fee, so there is nothing to withdraw yet.',
    )
  })
})

describe('WalletWithdrawalForm: review and confirm', () => {
  it('shows the fee quote and the total (amount + fee) before asking for the code', async () => {
    api.on(QUOTE, () => jsonResponse(200, quoteWire('123456789', '1000000')))
    await mountForm()

    await review(`  ${DESTINATION_ADDRESS} `, '1.23456789')

    expect(api.requests.map((request) => request.url)).toEqual([
      `/api/v1/wallet/withdrawals/quote?amount_koinu=123456789&address=${DESTINATION_ADDRESS}`,
    ])
    expect(summary()).toEqual([
      ['To', DESTINATION_ADDRESS],
      ['Amount', 'Ð 1.23456789 DOGE'],
      ['Network fee', 'Ð 0.01 DOGEDogecoin’s rate, Ð 0.01 DOGE per kB of the transaction (about 226 bytes)'],
      ['Total from your balance', 'Ð 1.24456789 DOGE'],
    ])
    expect(wrapper.get('[data-testid="withdrawal-total"] data').attributes('value')).toBe('124456789')
    expect(fieldByLabel(wrapper, 'Authentication code').value).toBe('')
  })

  it('does not offer to confirm when the total is more than the available balance', async () => {
    api.on(QUOTE, () => jsonResponse(200, quoteWire('500000000')))
    await mountForm()

    await review(DESTINATION_ADDRESS, '5')

    expect(alertTexts(wrapper)).toEqual([
      'Your available balance (Ð 5 DOGE) doesn’t cover the amount plus the network fee. Go back and enter a smaller amount.',
    ])
    const confirm = wrapper.findAll('button').find((button) => button.text() === 'Confirm withdrawal')
    expect(confirm?.attributes('disabled')).toBeDefined()
  })

  it('asks for the code before sending anything', async () => {
    await mountForm()
    await review()
    api.requests.length = 0

    await confirmWithCode(null)

    expect(fieldError(fieldByLabel(wrapper, 'Authentication code'))).toBe(
      'Enter the 6-digit code from your authenticator app.',
    )
    expect(api.requests).toHaveLength(0)
  })

  it('proves the code, swaps in the fresh token, then requests the withdrawal with an Idempotency-Key', async () => {
    await mountForm()
    await review()
    api.requests.length = 0

    await confirmWithCode('123 456')

    const [verify, withdraw] = api.requests
    expect([verify?.method, verify?.url, verify?.headers.authorization, verify?.body]).toEqual([
      'POST',
      '/api/v1/user/me/2fa/verify',
      'Bearer access-1',
      { code: '123456' },
    ])
    expect([withdraw?.method, withdraw?.url, withdraw?.headers.authorization, withdraw?.body]).toEqual([
      'POST',
      '/api/v1/wallet/withdrawals',
      'Bearer access-mfa',
      { address: DESTINATION_ADDRESS, amount_koinu: '200000000' },
    ])
    expect(withdraw?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(useSessionStore().accessToken).toBe('access-mfa')
    expect(
      useQueryCache()
        .getQueryData<PagedList<Withdrawal>>([...queryKeys.wallet.withdrawals(ALICE.id)])
        ?.items.map((withdrawal) => withdrawal.id),
    ).toEqual(['wd-1'])
    expect(blockText(wrapper.get('[role="status"] > div').element)).toBe(
      `Withdrawal requested Ð 2 DOGE is on its way to ${DESTINATION_ADDRESS}. Follow it under Withdrawals.`,
    )
    expect(document.activeElement?.textContent?.trim()).toBe('Withdrawal requested')

    await clickButton('Make another withdrawal')
    expect(fieldByLabel(wrapper, 'Dogecoin address').value).toBe('')
  })

  it('says when a large withdrawal waits for staff approval', async () => {
    api.on(WITHDRAW, () => jsonResponse(201, withdrawalWire({ status: 'awaiting_approval' })))
    await mountForm()
    await review()

    await confirmWithCode()

    expect(blockText(wrapper.get('[role="status"] > div').element)).toBe(
      'Your withdrawal is waiting for approval Withdrawals this large are checked by our team before they are sent. Ð 2.01 DOGE is held from your balance meanwhile.',
    )
  })

  it('keeps the review open on a wrong code and sends no withdrawal', async () => {
    api.on(VERIFY, () => errorResponse(400, { code: 'invalid_mfa_code', param: 'code' }))
    await mountForm()
    await review()

    await confirmWithCode('000000')

    expect(fieldError(fieldByLabel(wrapper, 'Authentication code'))).toBe(
      'That code didn’t work. Enter the current 6-digit code from your authenticator app, or one of your recovery codes.',
    )
    expect(api.requestsTo(WITHDRAW)).toHaveLength(0)
    expect(useSessionStore().accessToken).toBe('access-1')
  })

  it('retries a lost answer with the same key and without asking for the code again', async () => {
    api.on(WITHDRAW, OFFLINE)
    await mountForm()
    await review()

    await confirmWithCode()

    expect(alertTexts(wrapper)).toEqual([
      'Could not reach dBay. Check your connection and try again. Pressing Confirm again is safe: this withdrawal can only be sent once.',
    ])
    expect(wrapper.find('input[name="code"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('Your code was accepted.')

    api.on(WITHDRAW, () => jsonResponse(201, withdrawalWire()))
    await confirmWithCode(null)

    expect(api.requestsTo(VERIFY)).toHaveLength(1)
    const keys = keysSent()
    expect(keys).toHaveLength(2)
    expect(keys[1]).toBe(keys[0])
    expect(wrapper.text()).toContain('Withdrawal requested')
  })

  it('keeps the key after a lost answer when the same withdrawal is reviewed again, and not for another', async () => {
    api.on(WITHDRAW, OFFLINE)
    await mountForm()
    await review()
    await confirmWithCode()

    await clickButton('Edit')
    await submit('Withdraw DOGE')
    await confirmWithCode(null)
    await clickButton('Edit')
    await typeInto(wrapper, 'Amount (DOGE)', '3')
    await submit('Withdraw DOGE')
    await confirmWithCode('654321')

    const keys = keysSent()
    expect(keys).toHaveLength(3)
    expect(keys[1]).toBe(keys[0])
    expect(keys[2]).not.toBe(keys[0])
    expect(api.requestsTo(WITHDRAW).map((request) => request.body)).toEqual([
      { address: DESTINATION_ADDRESS, amount_koinu: '200000000' },
      { address: DESTINATION_ADDRESS, amount_koinu: '200000000' },
      { address: DESTINATION_ADDRESS, amount_koinu: '300000000' },
    ])
  })

  it('asks for a new code when wallet-service finds the second factor too old, then sends the same key', async () => {
    api.on(WITHDRAW, () => errorResponse(403, { code: 'mfa_required', type: 'permission_denied' }))
    await mountForm()
    await review()

    await confirmWithCode('111111')

    expect(fieldError(fieldByLabel(wrapper, 'Authentication code'))).toBe(
      'For your security, confirm with a new code from your authenticator app.',
    )
    api.on(WITHDRAW, () => jsonResponse(201, withdrawalWire()))
    await confirmWithCode('222222')

    expect(api.requestsTo(VERIFY).map((request) => request.body)).toEqual([{ code: '111111' }, { code: '222222' }])
    const keys = keysSent()
    expect(keys[1]).toBe(keys[0])
    expect(wrapper.text()).toContain('Withdrawal requested')
  })

  it.each([
    [
      'insufficient_funds',
      'amount_koinu',
      'Not enough.',
      'Amount (DOGE)',
      'Your available balance doesn’t cover the amount plus the network fee.',
    ],
    [
      'invalid_address',
      'address',
      'The address has an invalid checksum: check it for typos.',
      'Dogecoin address',
      'The address has an invalid checksum: check it for typos.',
    ],
    [
      'velocity_limit_exceeded',
      'amount_koinu',
      'This withdrawal would exceed your daily limit of 10000000000000 koinu (100000000 koinu left in the last 24 hours).',
      'Amount (DOGE)',
      'This would go over your daily withdrawal limit of Ð 100,000. Right now you can withdraw up to Ð 1 more (the limit counts the last 24 hours).',
    ],
  ])('goes back to the field on %s, and the next attempt gets a new key', async (code, param, message, label, shown) => {
    api.on(WITHDRAW, () => errorResponse(400, { code, param, message }))
    await mountForm()
    await review()

    await confirmWithCode()

    expect(wrapper.find('form[aria-label="Confirm withdrawal"]').exists()).toBe(false)
    expect(fieldError(fieldByLabel(wrapper, label))).toBe(shown)
    expect(fieldByLabel(wrapper, 'Dogecoin address').value).toBe(DESTINATION_ADDRESS)

    await submit('Withdraw DOGE')
    await confirmWithCode('654321')
    const keys = keysSent()
    expect(keys).toHaveLength(2)
    expect(keys[1]).not.toBe(keys[0])
  })

  it('shows a frozen wallet’s refusal at the top of the form', async () => {
    api.on(WITHDRAW, () => errorResponse(403, { code: 'account_frozen', type: 'permission_denied' }))
    await mountForm()
    await review()

    await confirmWithCode()

    expect(alertTexts(wrapper)).toEqual([
      'Your wallet is frozen while we review it, so it can’t send DOGE for now. Deposits still arrive. Please contact support.',
    ])
    expect(wrapper.find('form[aria-label="Withdraw DOGE"]').exists()).toBe(true)
  })
})
