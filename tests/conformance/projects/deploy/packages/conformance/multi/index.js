const { greet } = require('./helper')

function handler(args) {
  return { body: greet(args.name || args.defaultName) }
}

exports.handler = handler
