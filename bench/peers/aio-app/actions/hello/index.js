// sample/hello-node as an OpenWhisk action, for `aio app dev`.
function main (params) {
  const name = params.name || 'stranger'
  console.log(`greeted ${name}`)
  return { body: `Hello ${name}, from Node.js ${process.version}!` }
}

exports.main = main
