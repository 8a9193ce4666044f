import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { errorResponse, installFakeApi, jsonResponse, noContent, type FakeApi } from '@/__tests__/fakeApi'
import { fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'
import { useSessionStore } from '@/stores/useSessionStore'

import TwoFactorSettings from '../TwoFactorSettings.vue'

let api: FakeApi
let wrapper: VueWrapper

async function mountWith(twoFactorEnabled: boolean): Promise<void> {
  const page = await mountPage(TwoFactorSettings, {
    beforeNavigation: () => {
      useSessionStore().sessionStart(tokensFor({ ...ALICE, two_factor_enabled: twoFactorEnabled }, 'access-1'))
    },
  })
  wrapper = page.wrapper
}

async function clickButton(text: string): Promise<void> {
  const button = wrapper.findAll('button').find((candidate) => candidate.text() === text)
  if (button === undefined) {
    throw new Error(`no button "${text}"`)
  }
  await button.trigger('click')
  await flushPromises()
}

beforeEach(() => {
  api = installFakeApi()
})

afterEach(() => {
  wrapper.unmount()
})

describe('TwoFactorSettings', () => {
  it('offers to set up 2FA when it is off, and opens the enrolment', async () => {
    api.on('POST /api/v1/user/me/2fa/enroll', () =>
      jsonResponse(200, { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/dBay:alice?secret=JBSWY3DPEHPK3PXP' }),
    )
    await mountWith(false)

    await clickButton('Set up two-factor authentication')

    expect(api.requestsTo('POST /api/v1/user/me/2fa/enroll')).toHaveLength(1)
    expect(wrapper.get('[data-testid="two-factor-secret"]').text()).toBe('JBSW Y3DP EHPK 3PXP')
  })

  it('turns 2FA off with a code', async () => {
    api.on('POST /api/v1/user/me/2fa/disable', noContent)
    await mountWith(true)
    expect(wrapper.text()).toContain('Signing in asks for a code from your authenticator app.')

    await clickButton('Turn off')
    await typeInto(wrapper, 'Authentication code', '654321')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(api.requestsTo('POST /api/v1/user/me/2fa/disable').map((request) => request.body)).toEqual([
      { code: '654321' },
    ])
    expect(useSessionStore().user?.two_factor_enabled).toBe(false)
    expect(wrapper.get('[role="status"]').text()).toBe('Two-factor authentication is off.')
    expect(wrapper.text()).toContain('Set up two-factor authentication')
  })

  it('keeps 2FA on when the code to turn it off is wrong', async () => {
    api.on('POST /api/v1/user/me/2fa/disable', () => errorResponse(400, { code: 'invalid_mfa_code' }))
    await mountWith(true)

    await clickButton('Turn off')
    await typeInto(wrapper, 'Authentication code', '000000')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(fieldError(fieldByLabel(wrapper, 'Authentication code'))).toContain('That code didn’t work.')
    expect(useSessionStore().user?.two_factor_enabled).toBe(true)
  })

  it('makes new recovery codes with a code and shows them', async () => {
    api.on('POST /api/v1/user/me/2fa/recovery-codes', () =>
      jsonResponse(200, { recovery_codes: ['new-1', 'new-2'] }),
    )
    await mountWith(true)

    await clickButton('New recovery codes')
    await typeInto(wrapper, 'Authentication code', '111111')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(api.requestsTo('POST /api/v1/user/me/2fa/recovery-codes').map((request) => request.body)).toEqual([
      { code: '111111' },
    ])
    expect(wrapper.findAll('ol[aria-label="Recovery codes"] li').map((item) => item.text())).toEqual([
      'new-1',
      'new-2',
    ])
  })
})
