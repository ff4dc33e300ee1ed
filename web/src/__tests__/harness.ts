/** Mounting pages against an urql client that answers from fixtures, inside naive-ui's providers. */
import { Client, makeResult, type Exchange, type Operation } from '@urql/core'
import { mount } from '@vue/test-utils'
import { NDialogProvider, NMessageProvider } from 'naive-ui'
import { filter, makeSubject, map, merge, mergeMap, pipe, share, takeUntil, type Subject } from 'wonka'
import { defineComponent, h, type Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'

export type Fixtures = Record<string, unknown>

function operationName(op: Operation): string {
  const def = op.query.definitions.find((d) => d.kind === 'OperationDefinition')
  return def && 'name' in def && def.name ? def.name.value : ''
}

/** Events a test pushes to the subscriptions of one operation name. */
export class Streams {
  private subjects = new Map<string, Subject<unknown>>()

  subject(name: string): Subject<unknown> {
    let subject = this.subjects.get(name)
    if (!subject) {
      subject = makeSubject<unknown>()
      this.subjects.set(name, subject)
    }
    return subject
  }

  push(name: string, data: unknown): void {
    this.subject(name).next(data)
  }
}

/** Queries and mutations get their fixture by operation name; subscriptions get what `streams` pushes. */
export function fixtureClient(fixtures: Fixtures, seen: Operation[] = [], streams = new Streams()): Client {
  const exchange: Exchange = () => (ops$) => {
    const shared = pipe(ops$, share)
    const teardown = (op: Operation) => pipe(shared, filter((o) => o.kind === 'teardown' && o.key === op.key))
    return merge([
      pipe(
        shared,
        filter((op) => op.kind === 'subscription'),
        mergeMap((op) =>
          pipe(
            streams.subject(operationName(op)).source,
            map((data) => makeResult(op, { data: data as Record<string, unknown> })),
            takeUntil(teardown(op)),
          ),
        ),
      ),
      pipe(
        shared,
        filter((op) => op.kind === 'query' || op.kind === 'mutation'),
        map((op) => {
          seen.push(op)
          return makeResult(op, { data: fixtures[operationName(op)] ?? null })
        }),
      ),
    ])
  }
  return new Client({ url: '/graphql', exchanges: [exchange] })
}

export function mountPage(page: Component, client: Client, props: Record<string, unknown> = {}) {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { render: () => null } }] })
  const Wrapper = defineComponent({
    render: () => h(NMessageProvider, () => h(NDialogProvider, () => h(page, props))),
  })
  return mount(Wrapper, { global: { plugins: [router], provide: { $urql: { value: client } } } })
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0))
}
