import type { SessionTokens, User } from '@/api/user'

export const ALICE: User = {
  id: 'usr_alice',
  email: 'alice@example.test',
  username: 'alice',
  email_verified: true,
  roles: ['buyer', 'seller'],
  two_factor_enabled: false,
  created_at: '2025-01-02T12:00:00Z',
  profile: {
    display_name: 'Alice A.',
    avatar_url: '',
    location: 'Lyon',
    bio: 'Vintage cameras.',
  },
}

export function tokensFor(
  user: User,
  accessToken: string,
  expiresInSeconds = 900,
): SessionTokens {
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: expiresInSeconds,
    refresh_token: 'refresh-token-the-app-ignores',
    user,
  }
}
