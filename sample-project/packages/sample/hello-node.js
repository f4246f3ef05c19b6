function main(event, context) {
  const name = event.name || 'stranger';
  console.log(`greeted ${name} from ${context.functionName}`);
  return { body: `Hello ${name}, from Node.js ${process.version}!` };
}
