import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import TaskProgress from '../components/TaskProgress.vue'
import { fixtureClient } from './harness'

const mountTask = (task: Record<string, unknown>) =>
  mount(TaskProgress, { props: { task: task as never }, global: { provide: { $urql: { value: fixtureClient({}) } } } })

describe('TaskProgress', () => {
  it('shows kind, status, stage and progress', () => {
    const wrapper = mountTask({ id: 'T1', kind: 'server.create', status: 'RUNNING', progress: 40, stage: 'on_boot', subtasks: [] })
    expect(wrapper.text()).toContain('server.create')
    expect(wrapper.text()).toContain('RUNNING')
    expect(wrapper.find('[data-test=stage]').text()).toBe('on_boot')
    expect(wrapper.text()).toContain('40%')
    expect(wrapper.attributes('data-status')).toBe('RUNNING')
  })

  it('explains a failure, including a subtask scheduler rejection', () => {
    const wrapper = mountTask({
      id: 'T2',
      kind: 'server.create',
      status: 'FAILED',
      progress: 10,
      stage: 'on_schedule',
      error: 'No host fits: h1 rejected by ram (needs 8192 MB, 512 MB free)',
      subtasks: [{ id: 'T3', kind: 'server.build', status: 'FAILED', progress: 0, stage: 'on_init', error: 'scheduler: no host' }],
    })
    expect(wrapper.find('[data-test=task-error]').text()).toContain('rejected by ram')
    expect(wrapper.text()).toContain('scheduler: no host')
  })
})
