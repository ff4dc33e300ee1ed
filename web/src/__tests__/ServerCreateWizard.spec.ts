import { describe, expect, it } from 'vitest'
import type { Operation } from '@urql/core'
import ServerCreateWizard from '../components/ServerCreateWizard.vue'
import { fixtureClient, mountPage, settle } from './harness'

const NETWORKS = { networks: { __typename: 'NetworkConnection', edges: [] } }

function refused(errors: { field: string | null; message: string; code: string }[]) {
  return { serverCreate: { __typename: 'ServerCreatePayload', servers: [], task: null, errors: errors.map((e) => ({ __typename: 'ComputeError', ...e })) } }
}

async function submitFrom(wrapper: ReturnType<typeof mountPage>, name: string) {
  await wrapper.find('input[name=name]').setValue(name)
  await wrapper.find('[data-test=wizard-next]').trigger('click')
  await wrapper.find('[data-test=wizard-next]').trigger('click')
  await wrapper.find('[data-test=wizard-create]').trigger('click')
  await settle()
}

describe('ServerCreateWizard', () => {
  it('returns to the step of the field at fault and shows the error under it', async () => {
    const seen: Operation[] = []
    const client = fixtureClient(
      { Networks: NETWORKS, ServerCreate: refused([{ field: 'memoryMb', message: 'Memory must be 64-1048576 MB', code: 'OUT_OF_RANGE' }]) },
      seen,
    )
    const wrapper = mountPage(ServerCreateWizard, client)
    await settle()
    await submitFrom(wrapper, 'web')
    const sent = seen.find((op) => op.kind === 'mutation')
    expect(sent?.variables).toMatchObject({ input: { name: 'web', vcpus: 1, memoryMb: 512, diskGb: 5, count: 1 } })
    const memory = wrapper.find('input[name=memoryMb]')
    expect(memory.exists()).toBe(true)
    const item = wrapper.findAll('.n-form-item').find((i) => i.find('input[name=memoryMb]').exists())
    expect(item?.text()).toContain('Memory must be 64-1048576 MB')
  })

  it('shows an error without a field above the form', async () => {
    const client = fixtureClient({ Networks: NETWORKS, ServerCreate: refused([{ field: null, message: 'Quota exceeded', code: 'NOT_ALLOWED' }]) })
    const wrapper = mountPage(ServerCreateWizard, client)
    await settle()
    await submitFrom(wrapper, 'web')
    expect(wrapper.find('[data-test=form-error]').text()).toBe('Quota exceeded')
  })

  it('emits the task to follow when the servers are accepted', async () => {
    const client = fixtureClient({
      Networks: NETWORKS,
      ServerCreate: {
        serverCreate: {
          __typename: 'ServerCreatePayload',
          servers: [{ __typename: 'Server', id: 'S1', name: 'web', status: 'PENDING' }],
          task: { __typename: 'Task', id: 'T1', kind: 'server.create', status: 'QUEUED', progress: 0, stage: 'on_init' },
          errors: [],
        },
      },
    })
    const wrapper = mountPage(ServerCreateWizard, client)
    await settle()
    await submitFrom(wrapper, 'web')
    const wizard = wrapper.findComponent(ServerCreateWizard)
    expect(wizard.emitted('created')?.[0]).toEqual(['T1', ['web']])
  })
})
