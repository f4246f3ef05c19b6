// Every call the openwhisk client makes, run with the real `openwhisk` npm client against the emulator
// named by __OW_API_HOST and __OW_API_KEY. Prints one JSON line per step:
//   {"step": NAME, "ok": true, "value": ...}  or  {"step": NAME, "ok": false, "statusCode", "error"}
// Every step runs even when an earlier one failed, so one run shows everything that is missing.
'use strict'

const openwhisk = require('openwhisk')

const ACTION = 'conformance-greeter'
const PACKAGE = 'conformance-pkg'
const INNER = `${PACKAGE}/inner`
const CODE = `function main(params) {
  const name = params.name || 'stranger'
  console.log('greeting ' + name)
  return { greeting: 'Hello ' + name + '!' }
}
`
const POLL_SECONDS = 10

const ow = openwhisk()

async function step (name, run) {
  try {
    const value = await run()
    console.log(JSON.stringify({ step: name, ok: true, value: value === undefined ? null : value }))
    return value
  } catch (error) {
    console.log(JSON.stringify({
      step: name,
      ok: false,
      statusCode: error.statusCode === undefined ? null : error.statusCode,
      error: error.message || String(error),
      body: error.error === undefined ? null : error.error
    }))
    return undefined
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// A record is 404 until the non-blocking activation has finished: poll, as the deployer does.
async function activationWhenStored (id) {
  const deadline = Date.now() + POLL_SECONDS * 1000
  for (;;) {
    try {
      return await ow.activations.get({ name: id })
    } catch (error) {
      if (error.statusCode !== 404 || Date.now() > deadline) throw error
      await sleep(250)
    }
  }
}

async function main () {
  await step('create', () => ow.actions.create({ name: ACTION, action: CODE, kind: 'nodejs:18' }))
  await step('create_again', () => ow.actions.create({ name: ACTION, action: CODE, kind: 'nodejs:18' }))
  await step('update', () => ow.actions.update({
    name: ACTION,
    action: CODE,
    kind: 'nodejs:18',
    params: { name: 'param-default' },
    annotations: { 'web-export': false }
  }))
  await step('get', () => ow.actions.get({ name: ACTION }))
  await step('list', () => ow.actions.list({ limit: 50 }))
  await step('invoke_blocking', () => ow.actions.invoke({
    name: ACTION, blocking: true, params: { name: 'World' }
  }))
  await step('invoke_result', () => ow.actions.invoke({
    name: ACTION, blocking: true, result: true, params: { name: 'Result' }
  }))
  await step('invoke_default_param', () => ow.actions.invoke({
    name: ACTION, blocking: true, result: true
  }))
  const started = await step('invoke_nonblocking', () => ow.actions.invoke({
    name: ACTION, params: { name: 'Async' }
  }))
  const id = started && started.activationId
  const missing = () => Promise.reject(new Error('no activation id from the non-blocking invoke'))
  await step('activation_get', () => id ? activationWhenStored(id) : missing())
  await step('activation_logs', () => id ? ow.activations.logs({ name: id }) : missing())
  await step('activation_result', () => id ? ow.activations.result({ name: id }) : missing())
  await step('activation_list', () => ow.activations.list({ limit: 20 }))
  await step('activation_list_by_name', () => ow.activations.list({
    name: ACTION, limit: 20, docs: true
  }))
  await step('package_create', () => ow.packages.create({ name: PACKAGE }))
  await step('package_action_create', () => ow.actions.create({
    name: INNER, action: CODE, kind: 'nodejs:18'
  }))
  await step('package_action_invoke', () => ow.actions.invoke({
    name: INNER, blocking: true, result: true, params: { name: 'Pkg' }
  }))
  await step('get_unknown', () => ow.actions.get({ name: 'does-not-exist-conformance' }))
  await step('delete_package_action', () => ow.actions.delete({ name: INNER }))
  await step('delete_package', () => ow.packages.delete({ name: PACKAGE }))
  await step('delete_action', () => ow.actions.delete({ name: ACTION }))
  await step('get_deleted', () => ow.actions.get({ name: ACTION }))
}

main()
