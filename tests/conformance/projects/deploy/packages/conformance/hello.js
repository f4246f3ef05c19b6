function main(args) {
  const name = args.name || args.defaultName
  console.log(`greeting ${name}`)
  return { body: `${process.env.GREETING} ${name}!` }
}

exports.main = main
