import { describe, expect, it } from 'vitest'

import { passwordStrength } from '../passwordStrength'

describe('passwordStrength', () => {
  it('says nothing for an empty password', () => {
    expect(passwordStrength('')).toEqual({ score: 0, label: '', tip: null })
  })

  it('calls anything under 10 characters (user-service’s minimum) too short, without repeating the rule', () => {
    expect(passwordStrength('Ab1!xyz-9')).toEqual({ score: 0, label: 'Too short', tip: null })
    expect(passwordStrength('Ab1!xyz-90').label).not.toBe('Too short')
  })

  it.each(['password123', 'Qwerty!2024', 'mydogecoinwallet', '123456789a'])(
    'calls %s weak: a common word or sequence',
    (password) => {
      expect(passwordStrength(password)).toEqual({
        score: 1,
        label: 'Weak',
        tip: 'Avoid common words and sequences, and your username or email.',
      })
    },
  )

  it('calls a password containing the username weak', () => {
    expect(passwordStrength('Xx-alice-2025-xX', ['alice', 'alice.smith'])).toMatchObject({
      score: 1,
      label: 'Weak',
    })
  })

  it.each([
    ['rivertable', 1, 'Weak'],
    ['rivertablelamp', 2, 'Fair'],
    ['River-table-9', 3, 'Good'],
    ['correct horse battery staple', 3, 'Good'],
    ['Correct-Horse-Battery-9', 4, 'Strong'],
    ['aaa-River-table-9', 3, 'Good'],
    ['abcd-River-table-9', 3, 'Good'],
  ])('scores %s as %d (%s)', (password, score, label) => {
    expect(passwordStrength(password)).toMatchObject({ score, label })
  })

  it('gives a tip until the password is good', () => {
    expect(passwordStrength('rivertablelamp').tip).toBe(
      'Make it longer: a few unrelated words, or mix in capitals, digits and symbols.',
    )
    expect(passwordStrength('River-table-9').tip).toBeNull()
  })
})
