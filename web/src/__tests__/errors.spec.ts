import { CombinedError } from '@urql/core'
import { describe as suite, expect, it } from 'vitest'
import { byField, describe, errorCode } from '../errors'

suite('errors', () => {
  it('groups payload errors by field, the rest under _', () => {
    expect(
      byField([
        { field: 'name', message: 'taken', code: 'DUPLICATE' },
        { field: 'name', message: 'too long', code: 'TOO_LONG' },
        { field: null, message: 'no capacity', code: 'NO_CAPACITY' },
      ]),
    ).toEqual({ name: 'taken; too long', _: 'no capacity' })
  })

  it('says plainly when the caller is not allowed', () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: "permission 'compute.server.create' is required for this operation", extensions: { code: 'FORBIDDEN' } }],
    })
    expect(errorCode(error)).toBe('FORBIDDEN')
    expect(describe(error)).toMatch(/^You are not allowed to do this: permission 'compute.server.create'/)
  })

  it('treats a 401 as an ended session', () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: 'token expired', extensions: { code: 'UNAUTHENTICATED' } }],
    })
    expect(describe(error)).toBe('Your session has ended; sign in again.')
  })
})
