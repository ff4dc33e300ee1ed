import { afterEach, describe, expect, it, vi } from 'vitest'
import { can, endSession, onSessionEnd, setMe, startSession, state } from '../session'

const session = (ms: number) => ({
  token: 't',
  expiresAt: new Date(Date.now() + ms).toISOString(),
  domain: 'default',
  username: 'alice',
  project: 'acme',
})

describe('session', () => {
  afterEach(() => {
    endSession()
    vi.useRealTimers()
  })

  it('ends by itself when the token expires and tells the router', () => {
    vi.useFakeTimers()
    const ended = vi.fn()
    onSessionEnd(ended)
    startSession(session(60_000))
    expect(state.session?.token).toBe('t')
    vi.advanceTimersByTime(60_001)
    expect(state.session).toBeNull()
    expect(state.expired).toBe(true)
    expect(ended).toHaveBeenCalledOnce()
    expect(sessionStorage.getItem('nimbus.session')).toBeNull()
  })

  it('answers permission checks from me', () => {
    startSession(session(60_000))
    setMe({ userId: 'u', userName: 'alice', projectId: 'p', projectName: 'acme', roles: ['reader'], permissions: ['compute.server.list'] })
    expect(can('compute.server.list')).toBe(true)
    expect(can('compute.server.create')).toBe(false)
  })
})
