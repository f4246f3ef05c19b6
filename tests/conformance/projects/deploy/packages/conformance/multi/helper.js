exports.greet = (name) => `${process.env.GREETING} ${name} from a zipped directory!`
