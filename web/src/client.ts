/** The urql client: queries and mutations over HTTP, subscriptions over graphql-transport-ws. */
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core'
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws'
import { errorCode } from './errors'
import { endSession, token } from './session'

let ws: WsClient | null = null

function wsUrl(): string {
  const { protocol, host } = window.location
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/graphql`
}

function socket(): WsClient {
  ws ??= createWsClient({
    url: wsUrl(),
    lazy: true,
    connectionParams: () => ({ authorization: `Bearer ${token() ?? ''}` }),
    retryAttempts: 20,
    shouldRetry: () => token() !== null,
    on: {
      closed: (event) => {
        // 4403 Forbidden: the server refused the token given at connection time.
        if ((event as CloseEvent).code === 4403 && token()) endSession(true)
      },
    },
  })
  return ws
}

/** Drop the socket so the next subscription connects with the current token. */
export function resetSocket(): void {
  void ws?.dispose()
  ws = null
}

export function createClient(): Client {
  return new Client({
    url: '/graphql',
    requestPolicy: 'cache-and-network',
    preferGetMethod: false,
    fetchOptions: (): RequestInit => {
      const t = token()
      const headers: Record<string, string> = t ? { authorization: `Bearer ${t}` } : {}
      return { headers }
    },
    exchanges: [
      mapExchange({
        onError(error) {
          if (errorCode(error) === 'UNAUTHENTICATED' && token()) endSession(true)
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' }
          return {
            subscribe(sink) {
              const dispose = socket().subscribe(input, sink)
              return { unsubscribe: dispose }
            },
          }
        },
      }),
    ],
  })
}
