function main(args) {
  return { body: `So long, ${args.name || 'partner'}.` };
}
