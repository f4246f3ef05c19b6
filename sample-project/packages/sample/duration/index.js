const ms = require('ms');

exports.main = (event) => {
  const text = event.text || '1 day';
  console.log(`converting ${text}`);
  return { text, milliseconds: ms(text) };
};
