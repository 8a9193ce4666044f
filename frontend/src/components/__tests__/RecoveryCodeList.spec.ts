import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'

import RecoveryCodeList from '../RecoveryCodeList.vue'

describe('RecoveryCodeList', () => {
  it('copies the codes, one per line', async () => {
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } })
    const wrapper = mount(RecoveryCodeList, { props: { codes: ['aaaa-1111', 'bbbb-2222'], username: 'alice' } })

    await wrapper.findAll('button').find((button) => button.text() === 'Copy codes')?.trigger('click')
    await vi.waitFor(() => {
      expect(wrapper.get('[role="status"]').text()).toBe('Copied to the clipboard.')
    })

    expect(writeText).toHaveBeenCalledWith('aaaa-1111\nbbbb-2222')
    Reflect.deleteProperty(navigator, 'clipboard')
  })

  it('downloads the codes as a text file naming the account', async () => {
    let blob: Blob | undefined
    const createObjectURL = vi.fn((object: Blob) => {
      blob = object
      return 'blob:codes'
    })
    const revokeObjectURL = vi.fn()
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL }))
    const clicks: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(`${this.download} ${this.href}`)
    })
    const wrapper = mount(RecoveryCodeList, { props: { codes: ['aaaa-1111', 'bbbb-2222'], username: 'alice' } })

    await wrapper.findAll('button').find((button) => button.text() === 'Download as text')?.trigger('click')

    expect(clicks).toEqual(['dbay-recovery-codes.txt blob:codes'])
    expect(await blob?.text()).toBe(
      'dBay recovery codes for alice\nEach code signs you in once if you lose your authenticator app.\n\naaaa-1111\nbbbb-2222\n',
    )
    expect(revokeObjectURL).toHaveBeenCalledWith('blob:codes')
    expect(wrapper.get('[role="status"]').text()).toBe('Downloaded dbay-recovery-codes.txt.')
  })
})
