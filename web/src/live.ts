/** Refetch a query when the platform says something it shows has changed. */
import { useSubscription } from '@urql/vue'
import { computed, type Ref } from 'vue'
import { ResourceChanged } from './graphql/compute'
import { TaskFeed } from './graphql/task'

type Refetch = () => void

function debounced(fn: Refetch, ms: number): Refetch {
  let timer: ReturnType<typeof setTimeout> | undefined
  return () => {
    clearTimeout(timer)
    timer = setTimeout(fn, ms)
  }
}

export function onResourceChange(kind: string, refetch: Refetch, paused?: Ref<boolean>): void {
  const run = debounced(refetch, 150)
  useSubscription(
    { query: ResourceChanged, variables: { kind }, pause: paused ?? computed(() => false) },
    (_prev, event) => {
      run()
      return event
    },
  )
}

export function onTaskChange(refetch: Refetch): void {
  const run = debounced(refetch, 150)
  useSubscription({ query: TaskFeed, variables: {} }, (_prev, event) => {
    run()
    return event
  })
}
