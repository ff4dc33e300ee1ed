/** Turning GraphQL errors into what the user should see. */
import type { CombinedError } from '@urql/core'

export interface PayloadError {
  field?: string | null
  message: string
  code: string
}

/** Payload errors by input field; errors without a field go under `_`. */
export function byField(errors: readonly PayloadError[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of errors ?? []) {
    const key = e.field ?? '_'
    out[key] = out[key] ? `${out[key]}; ${e.message}` : e.message
  }
  return out
}

export function errorCode(error: CombinedError | undefined | null): string | null {
  if (!error) return null
  for (const e of error.graphQLErrors) {
    const code = e.extensions?.code
    if (typeof code === 'string') return code
  }
  const status = (error.response as { status?: number } | undefined)?.status
  if (status === 401) return 'UNAUTHENTICATED'
  return error.networkError ? 'NETWORK' : null
}

/** A sentence for a top-level error; authorization failures say so plainly. */
export function describe(error: CombinedError | undefined | null): string | null {
  if (!error) return null
  const code = errorCode(error)
  const message = error.graphQLErrors[0]?.message ?? error.networkError?.message ?? error.message
  if (code === 'FORBIDDEN') return `You are not allowed to do this: ${message}.`
  if (code === 'UNAUTHENTICATED') return 'Your session has ended; sign in again.'
  if (code === 'NETWORK') return `The server cannot be reached (${message}).`
  return message
}
