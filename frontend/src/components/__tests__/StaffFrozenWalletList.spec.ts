import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { tokensFor } from '@/__tests__/fixtures'
import { alertTexts, fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'
import { frozenWalletWire, MEMBER_ID, STAFF_USER, staffActionWire } from '@/__tests__/staffFixtures'
import { page } from '@/__tests__/walletFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

import StaffFrozenWalletList from '../StaffFrozenWalletList.vue'

const FROZEN = 'GET /api/v1/wallet/staff/frozen-accounts'
const UNFREEZE = `POST /api/v1/wallet/staff/accounts/${MEMBER_ID}/unfreeze`
const AUDIT_LOG = 'GET /api/v1/wallet/staff/audit-log'

let api: FakeApi
let wrapper: VueWrapper
let frozen: ReturnType<typeof frozenWalletWire>[]

beforeEach(() => {
  frozen = [frozenWalletWire()]
  api = installFakeApi({
    [FROZEN]: () => jsonResponse(200, page(frozen)),
    [AUDIT_LOG]: () => jsonResponse(200, page([staffActionWire({ action: 'account_unfreeze' })])),
  })
})

afterEach(() => {
  wrapper.unmount()
})

async function mountList(): Promise<void> {
  const mounted = await mountPage(StaffFrozenWalletList, {
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(STAFF_USER, 'staff-token')),
  })
  wrapper = mounted.wrapper
  await flushPromises()
}

function rows(): string[][][] {
  return wrapper.findAll('ul[aria-label="Frozen wallets"] > li').map((item) =>
    item.findAll('dt').map((term, index) => [term.text(), item.findAll('dd')[index]?.text().replace(/\s+/g, ' ') ?? '']),
  )
}

function button(name: string) {
  const found = wrapper.findAll('button').find((candidate) => candidate.text() === name)
  if (found === undefined) {
    throw new Error(`no button "${name}"`)
  }
  return found
}

describe('StaffFrozenWalletList', () => {
  it('lists frozen wallets with why they are frozen and their balances', async () => {
    frozen = [frozenWalletWire(), frozenWalletWire({ user_id: 'usr-2', frozen_reason: '', posted_koinu: '0', held_koinu: '0' })]
    await mountList()

    expect(api.requests.map((request) => request.url)).toEqual(['/api/v1/wallet/staff/frozen-accounts?limit=100'])
    expect(rows()).toEqual([
      [
        ['Member', MEMBER_ID],
        ['Why frozen', 'deposit a1b2c3d4e5f60718...:1 reorged out; 150000000 koinu spent'],
        ['Balance', 'Ð 0.5 DOGE'],
        ['Available', 'Ð 0 DOGE'],
        ['Held', 'Ð 2.01 DOGE'],
      ],
      [
        ['Member', 'usr-2'],
        ['Why frozen', 'No reason was recorded.'],
        ['Balance', 'Ð 0 DOGE'],
        ['Available', 'Ð 0 DOGE'],
        ['Held', 'Ð 0 DOGE'],
      ],
    ])
  })

  it('unfreezes with a required reason, then says so and reads the list and the audit log again', async () => {
    api.on(UNFREEZE, () => jsonResponse(200, frozenWalletWire({ frozen_reason: '' })))
    await mountList()

    await button('Unfreeze').trigger('click')
    await flushPromises()
    const reason = fieldByLabel(wrapper, 'Reason')
    expect(document.activeElement).toBe(reason)
    expect(wrapper.get('form h3').text()).toBe('Unfreeze this wallet?')

    await button('Unfreeze wallet').trigger('click')
    await flushPromises()
    expect(fieldError(reason)).toBe('Say why: the reason is kept with the action.')
    expect(api.requestsTo(UNFREEZE)).toEqual([])

    await typeInto(wrapper, 'Reason', 'The member paid back the reversed deposit')
    frozen = []
    await button('Unfreeze wallet').trigger('click')
    await flushPromises()

    expect(api.requestsTo(UNFREEZE).map((request) => request.body)).toEqual([
      { reason: 'The member paid back the reversed deposit' },
    ])
    expect(wrapper.get('p[role="status"]').text()).toBe(`The wallet of member ${MEMBER_ID} is unfrozen.`)
    expect(rows()).toEqual([])
    expect(wrapper.text()).toContain('No wallet is frozen.')
    expect(api.requestsTo(FROZEN)).toHaveLength(2)
    expect(document.activeElement?.id).toBe('staff-frozen-heading')
  })

  it('shows a refusal in plain words on the form, and gives focus back on Cancel', async () => {
    api.on(UNFREEZE, () => errorResponse(404, { code: 'account_not_found', message: 'This user has no wallet.' }))
    await mountList()

    await button('Unfreeze').trigger('click')
    await flushPromises()
    await typeInto(wrapper, 'Reason', 'checked')
    await button('Unfreeze wallet').trigger('click')
    await flushPromises()
    expect(alertTexts(wrapper)).toEqual(['This member has no wallet.'])

    await button('Cancel').trigger('click')
    await flushPromises()
    expect(wrapper.find('form').exists()).toBe(false)
    expect(document.activeElement?.id).toBe(`unfreeze-${MEMBER_ID}`)
  })

  it('says when no wallet is frozen, and when there are more than it shows', async () => {
    frozen = []
    await mountList()
    expect(wrapper.text()).toContain('No wallet is frozen.')
    wrapper.unmount()

    api.on(FROZEN, () => jsonResponse(200, page([frozenWalletWire()], true)))
    await mountList()
    expect(wrapper.text()).toContain('Showing the first 1 frozen wallets.')
  })
})
