import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { mountPage } from '@/__tests__/mountPage'
import { ADDRESS_WIRE, DEPOSIT_ADDRESS, NEW_DEPOSIT_ADDRESS } from '@/__tests__/walletFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

import WalletDepositAddress from '../WalletDepositAddress.vue'

const ROTATE = 'POST /api/v1/wallet/deposit-address'
const NEW_ADDRESS_WIRE = { ...ADDRESS_WIRE, address: NEW_DEPOSIT_ADDRESS, uri: `dogecoin:${NEW_DEPOSIT_ADDRESS}` }

let api: FakeApi
let wrapper: VueWrapper
let clipboardWrites: string[]

beforeEach(() => {
  api = installFakeApi({
    'GET /api/v1/wallet/deposit-address': () => jsonResponse(200, ADDRESS_WIRE),
    [ROTATE]: () => jsonResponse(201, NEW_ADDRESS_WIRE),
  })
  clipboardWrites = []
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: {
      writeText: (text: string) => {
        clipboardWrites.push(text)
        return Promise.resolve()
      },
    },
  })
})

afterEach(() => {
  wrapper.unmount()
  Reflect.deleteProperty(navigator, 'clipboard')
})

async function mountAddress(): Promise<void> {
  const page = await mountPage(WalletDepositAddress, {
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(ALICE, 'access-1')),
  })
  wrapper = page.wrapper
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('img').exists()).toBe(true)
  })
}

async function clickButton(text: string): Promise<void> {
  const button = wrapper.findAll('button').find((candidate) => candidate.text() === text)
  if (button === undefined) {
    throw new Error(`no button "${text}"`)
  }
  await button.trigger('click')
  await flushPromises()
}

describe('WalletDepositAddress', () => {
  it('shows the address, its dogecoin: QR code drawn in the page, and the network', async () => {
    await mountAddress()

    expect(wrapper.get('[data-testid="deposit-address"]').text()).toBe(DEPOSIT_ADDRESS)
    const image = wrapper.get('img')
    expect(image.attributes('alt')).toBe('QR code of your deposit address')
    expect(image.attributes('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,/)
    expect(wrapper.text()).toContain('Regtest network: test coins only')
    expect(wrapper.text()).toContain('In use since 1 Mar 2025, 10:00')
  })

  it('makes the QR code a dogecoin: link that opens a wallet app', async () => {
    await mountAddress()

    const link = wrapper.get('a[data-testid="deposit-uri"]')
    expect(link.attributes('href')).toBe(`dogecoin:${DEPOSIT_ADDRESS}`)
    expect(link.attributes('aria-label')).toBe('Open your deposit address in a Dogecoin wallet app')
    expect(link.find('img').exists()).toBe(true)
  })

  it('stops saying Copied once a new address is made', async () => {
    await mountAddress()
    await clickButton('Copy address')
    expect(wrapper.findAll('button').map((button) => button.text())).toContain('Copied')

    await clickButton('New address')

    expect(wrapper.get('[data-testid="deposit-address"]').text()).toBe(NEW_DEPOSIT_ADDRESS)
    expect(wrapper.findAll('button').map((button) => button.text())).toEqual(['Copy address', 'New address'])
    expect(wrapper.findAll('[role="status"]').map((status) => status.text())).not.toContain('Copied to the clipboard.')
    await clickButton('Copy address')
    expect(clipboardWrites).toEqual([DEPOSIT_ADDRESS, NEW_DEPOSIT_ADDRESS])
  })

  it('copies the address', async () => {
    await mountAddress()

    await clickButton('Copy address')

    expect(clipboardWrites).toEqual([DEPOSIT_ADDRESS])
    expect(wrapper.findAll('[role="status"]').map((status) => status.text())).toContain('Copied to the clipboard.')
  })

  it('gets a new address with an Idempotency-Key and says the old ones still work', async () => {
    await mountAddress()

    await clickButton('New address')

    expect(api.requestsTo(ROTATE).map((request) => request.headers['idempotency-key'])).toEqual([
      expect.stringMatching(/^[0-9a-f-]{36}$/),
    ])
    expect(wrapper.get('[data-testid="deposit-address"]').text()).toBe(NEW_DEPOSIT_ADDRESS)
    expect(wrapper.text()).toContain('Here is your new address. Payments to your earlier addresses still arrive.')
  })

  it('retries a failed request for a new address with the same key, so it makes one address', async () => {
    api.on(ROTATE, () => errorResponse(503, { code: 'service_unavailable' }))
    await mountAddress()

    await clickButton('New address')
    expect(wrapper.get('[role="alert"]').text()).toBe('Something went wrong on our side. Please try again in a moment.')
    expect(wrapper.get('[data-testid="deposit-address"]').text()).toBe(DEPOSIT_ADDRESS)

    api.on(ROTATE, () => jsonResponse(201, NEW_ADDRESS_WIRE))
    await clickButton('New address')
    await clickButton('New address')

    const [first, retry, next] = api.requestsTo(ROTATE).map((request) => request.headers['idempotency-key'])
    expect(retry).toBe(first)
    expect(next).not.toBe(first)
  })
})
