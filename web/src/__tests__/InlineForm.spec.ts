import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import InlineForm from '../components/InlineForm.vue'
import { settle } from './harness'

describe('InlineForm', () => {
  const fields = [
    { key: 'name', label: 'Name', required: true },
    { key: 'description', label: 'Description' },
  ]

  it('refuses to send without required fields', async () => {
    const submit = vi.fn()
    const wrapper = mount(InlineForm, { props: { fields, submitLabel: 'Create', submit } })
    await wrapper.find('[data-test=inline-submit]').trigger('click')
    await settle()
    expect(submit).not.toHaveBeenCalled()
    expect(wrapper.text()).toContain('Name is required')
  })

  it('puts payload errors next to their fields and top-level ones below', async () => {
    const submit = vi.fn().mockResolvedValue([{ field: 'name', message: 'A project with this name exists', code: 'DUPLICATE' }])
    const wrapper = mount(InlineForm, { props: { fields, submitLabel: 'Create', submit } })
    await wrapper.find('input[name=name]').setValue('ops')
    await wrapper.find('[data-test=inline-submit]').trigger('click')
    await settle()
    expect(submit).toHaveBeenCalledWith({ name: 'ops', description: null })
    const items = wrapper.findAll('.n-form-item')
    expect(items[0].text()).toContain('A project with this name exists')
    expect(items[1].text()).not.toContain('exists')

    submit.mockResolvedValue('You are not allowed to do this: permission required.')
    await wrapper.find('[data-test=inline-submit]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test=inline-error]').text()).toContain('not allowed')
  })
})
