/*
 * Runs INSIDE a function's process, never loaded by the emulator. CommonJS, Node.js 14+.
 *
 * The emulator's side of this line protocol is emulator/invoker/process.py; python_launcher.py
 * speaks the same one. The behaviour follows DigitalOcean's prelaunched Node.js runtime
 * (nimbella/openwhisk-runtime-nodejs: core/nodejsActionBase/runner.js and prelauncher.js):
 *
 * 1. argv[2] is the number of an inherited pipe, the result channel, written with writeSync.
 * 2. The first stdin line is {"value": {"code": <path>, "main": <name>, "binary": <bool>}},
 *    plus, for a process prelaunched before its function was known, "env" and "cwd": the
 *    environment and directory to take before the function is loaded; "image_packages", the
 *    node_modules folders of the runtime image's packages, found after the function's own.
 *    The function is loaded; the pipe gets {"ok": true}, or {"error": ...} and the process
 *    exits after printing `Initialization has failed due to: <cause>` on stderr.
 * 3. Every later stdin line is a run request, {"value": <event>, "activation_id": ..., ...}.
 *    Each string field but `value` is exported as __OW_<KEY>; main is called as
 *    main(event, context); stdout and stderr are drained, both get the sentinel line, and
 *    then the pipe gets one JSON line.
 */
'use strict';

const fs = require('fs');
const Module = require('module');
const os = require('os');
const path = require('path');
const url = require('url');
const util = require('util');
const vm = require('vm');

const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';
// Only such names are spliced into code, as the platform splices `main` into its eval.
const IDENTIFIER_PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
const ENTRYPOINT_HOOK = '__functions_emulator_entrypoint__';
const SCRIPT_WRAPPER = '(function (exports, require, module, __filename, __dirname) {';
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

const resultFd = Number(process.argv[2]);
process.argv.splice(2);

// Measured for coverage (NODE_V8_COVERAGE): Node writes the coverage at a normal exit only, so
// the emulator's stop signal ends the process normally.
if (process.env.NODE_V8_COVERAGE) {
  process.on('SIGTERM', () => process.exit(0));
}

/** A failure the platform reports as a bare sentence, without a stack. */
class InitFailure extends Error {}

// ---------------------------------------------------------------- loading the function

function entrypointNotAFunction(name) {
  return new InitFailure(`Function entrypoint '${name}' is not a function.`);
}

function member(object, dottedName) {
  return dottedName.split('.').reduce((value, key) => (value == null ? undefined : value[key]), object);
}

function assertFunction(candidate, name) {
  if (typeof candidate !== 'function') {
    throw entrypointNotAFunction(name);
  }
  return candidate;
}

function importFile(file) {
  return import(url.pathToFileURL(file).href);
}

function parsesAsScript(source, file) {
  try {
    new vm.Script(`${SCRIPT_WRAPPER}${source}\n})`, { filename: file });
    return true;
  } catch (error) {
    if (error instanceof SyntaxError) {
      return false;
    }
    throw error;
  }
}

/**
 * Runs a file as a CommonJS module whose own top-level `main` is visible, as the platform's
 * eval of the source finds a plain `function main`; else module.exports.main / exports.main.
 */
function evaluateScript(file, source, name) {
  const lookup = IDENTIFIER_PATH.test(name)
    ? `function () { try { return ${name}; } catch (e) {
         if (e && e.name === 'ReferenceError') { return module.exports.${name} || exports.${name}; }
         throw e; } }`
    : 'function () { return undefined; }';
  let found;
  global[ENTRYPOINT_HOOK] = (entrypoint) => {
    found = entrypoint;
  };
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  Module._cache[file] = mod;
  try {
    // Through the CommonJS loader, so that require() and import() resolve from the file.
    mod._compile(`${source}\n;${ENTRYPOINT_HOOK}(${lookup});\n`, file);
  } finally {
    delete global[ENTRYPOINT_HOOK];
  }
  mod.loaded = true;
  return found ? found() : undefined;
}

/** ES module syntax in a plain file: imported, as the platform does when its eval fails. */
async function importModuleSource(file, source) {
  try {
    return await importFile(file);
  } catch (error) {
    if (!(error instanceof SyntaxError)) {
      throw error;
    }
    // A Node.js without module syntax detection: the platform's own way, an index.mjs copy.
    const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'function-')), 'index.mjs');
    fs.writeFileSync(copy, source);
    return importFile(copy);
  }
}

async function loadFile(file, name) {
  if (file.endsWith('.mjs')) {
    return assertFunction(member(await importFile(file), name), name);
  }
  const text = fs.readFileSync(file, 'utf8');
  // A `#!` line is legal only at the very start of a file: commented out, lines keep their numbers.
  const source = text.startsWith('#!') ? `//${text}` : text;
  if (!parsesAsScript(source, file)) {
    return assertFunction(member(await importModuleSource(file, source), name), name);
  }
  return assertFunction(evaluateScript(file, source, name), name);
}

/** `func` (file from package.json `main`, else index.[m]js) or `file.func`, split at the first dot. */
function splitMain(name) {
  const matches = name.match(/^([^.]+)$|^([^.]+)\.(.+)$/);
  if (!matches) {
    throw new InitFailure('Name of main function is not valid.');
  }
  return [matches[2], matches[3] || matches[1]];
}

async function loadDirectory(directory, name) {
  const [file, func] = splitMain(name);
  const has = (relative) => fs.existsSync(path.join(directory, relative));
  if (file === undefined && !has('package.json') && !has('index.js') && !has('index.mjs')) {
    throw new InitFailure(
      'Zipped functions must contain either package.json or index.[m]js at the root.'
    );
  }
  let mainFile;
  if (file !== undefined) {
    mainFile = [`${file}.js`, `${file}.mjs`].find(has);
  }
  if (!mainFile && has('package.json')) {
    mainFile = JSON.parse(fs.readFileSync(path.join(directory, 'package.json'), 'utf8')).main;
  }
  if (!mainFile) {
    mainFile = has('index.mjs') ? 'index.mjs' : 'index.js';
  }
  const namespace = await importFile(path.join(directory, mainFile));
  return assertFunction(member(namespace, func), name);
}

/**
 * The packages the platform's runtime image installs in `/node_modules`, above every
 * function's folder: found after the function's own node_modules, by require() (as
 * NODE_PATH folders) and by import (a resolve hook that tries them when all else failed).
 */
function addImagePackages(folders) {
  const found = (folders || []).filter((folder) => fs.existsSync(folder));
  if (found.length === 0) {
    return;
  }
  const before = process.env.NODE_PATH;
  process.env.NODE_PATH = [...found, ...(before ? [before] : [])].join(path.delimiter);
  Module._initPaths();
  if (before === undefined) {
    delete process.env.NODE_PATH;
  } else {
    process.env.NODE_PATH = before;
  }
  if (typeof Module.register !== 'function') {
    return;
  }
  const parents = found.map((folder) => url.pathToFileURL(path.join(path.dirname(folder), 'image.js')).href);
  const hook = `
    const parents = ${JSON.stringify(parents)};
    export async function resolve(specifier, context, next) {
      try {
        return await next(specifier, context);
      } catch (error) {
        const bare = !(specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':'));
        if (!bare || !error || error.code !== 'ERR_MODULE_NOT_FOUND') { throw error; }
        for (const parentURL of parents) {
          try { return await next(specifier, { ...context, parentURL }); } catch (_) {}
        }
        throw error;
      }
    }`;
  Module.register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

/** The package a failed require() or import names: `openwhisk`, `@scope/name`; else null. */
function missingPackage(error) {
  if (!error || (error.code !== 'MODULE_NOT_FOUND' && error.code !== 'ERR_MODULE_NOT_FOUND')) {
    return null;
  }
  const named = String(error.message).match(/Cannot find (?:module|package) '([^']+)'/);
  if (!named || /^(\.|\/|[a-z]+:)/i.test(named[1])) {
    return null;
  }
  const parts = named[1].split('/');
  return named[1].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function loadFunction(init) {
  const name = init.main || 'main';
  return init.binary ? loadDirectory(init.code, name) : loadFile(init.code, name);
}

// ---------------------------------------------------------------- running it

function contextFromEnvironment() {
  const env = process.env;
  const deadline = Number(env.__OW_DEADLINE);
  return {
    functionName: env.__OW_ACTION_NAME,
    functionVersion: env.__OW_ACTION_VERSION,
    activationId: env.__OW_ACTIVATION_ID,
    requestId: env.__OW_TRANSACTION_ID,
    deadline: deadline,
    apiHost: env.__OW_API_HOST,
    apiKey: env.__OW_API_KEY || '',
    namespace: env.__OW_NAMESPACE,
    // Not clamped at 0, unlike the Python and PHP runtimes.
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

function messageOf(error) {
  if (error != null && error.message) {
    return error.message;
  }
  try {
    return String(error);
  } catch (_) {
    return Object.prototype.toString.call(error);
  }
}

/** What the `serialize-error` package (3.0.0, the runtime's) makes of a rejection. */
function serializeError(value) {
  if (typeof value === 'object') {
    return destroyCircular(value, []);
  }
  if (typeof value === 'function') {
    return `[Function: ${value.name || 'anonymous'}]`;
  }
  return value;
}

function destroyCircular(from, seen) {
  const to = Array.isArray(from) ? [] : {};
  seen.push(from);
  for (const key of Object.keys(from)) {
    const value = from[key];
    if (typeof value === 'function') {
      continue;
    }
    if (!value || typeof value !== 'object') {
      to[key] = value;
    } else {
      to[key] = seen.includes(value) ? '[Circular]' : destroyCircular(value, seen.slice());
    }
  }
  for (const key of ['name', 'message', 'stack']) {
    if (typeof from[key] === 'string') {
      to[key] = from[key];
    }
  }
  return to;
}

async function activate(main, request) {
  for (const key of Object.keys(request)) {
    if (key !== 'value' && typeof request[key] === 'string') {
      process.env[`__OW_${key.toUpperCase()}`] = request[key];
    }
  }
  let returned;
  try {
    returned = main(request.value || {}, contextFromEnvironment());
  } catch (error) {
    // DigitalOcean's loop catches a synchronous throw: an application error, process kept.
    process.stdout.write(`${util.format(error)}\n`);
    return { error: messageOf(error) };
  }
  try {
    const result = await returned;
    return result === undefined ? {} : result;
  } catch (error) {
    return { error: error ? serializeError(error) : {} };
  }
}

function encode(result) {
  if (typeof result !== 'object') {
    const complaint = `Result must be of type object but has type "${typeof result}":`;
    process.stderr.write(`${util.format(complaint, result)}\n`);
  }
  const text = JSON.stringify(result);
  // A function or symbol has no JSON: the platform then rejects the reply as not a dictionary.
  return text === undefined ? 'null' : text;
}

// ---------------------------------------------------------------- the line protocol

function lineReader(stream) {
  const lines = [];
  const waiting = [];
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop();
    for (const line of parts) {
      if (waiting.length > 0) {
        waiting.shift()(line);
      } else {
        lines.push(line);
      }
    }
  });
  // The emulator closes stdin only when it is done with this process.
  stream.on('end', () => process.exit(0));
  return () =>
    lines.length > 0 ? Promise.resolve(lines.shift()) : new Promise((resolve) => waiting.push(resolve));
}

// Pipe writes from process.stdout are asynchronous: the callback means this line, and every
// line before it, has reached the pipe.
function writeLine(stream, text) {
  return new Promise((resolve) => stream.write(`${text}\n`, () => resolve()));
}

function endOfActivation() {
  return Promise.all([writeLine(process.stdout, SENTINEL), writeLine(process.stderr, SENTINEL)]);
}

function reply(text) {
  const data = Buffer.from(`${text}\n`, 'utf8');
  let written = 0;
  while (written < data.length) {
    try {
      written += fs.writeSync(resultFd, data, written, data.length - written);
    } catch (error) {
      if (error.code !== 'EAGAIN') {
        throw error;
      }
      Atomics.wait(PAUSE, 0, 0, 1);
    }
  }
}

const INIT_FAILED = 'The function did not initialize properly.';

function describeFailure(error) {
  if (error instanceof InitFailure) {
    return error.message;
  }
  return error && error.stack ? String(error.stack) : String(error);
}

/**
 * A prelaunched process started before its function was known: the function's environment
 * (exactly that) and directory apply now, before any of its code runs.
 */
function enterFunction(init) {
  if (init.env) {
    for (const key of Object.keys(process.env)) {
      delete process.env[key];
    }
    Object.assign(process.env, init.env);
  }
  if (init.cwd) {
    process.chdir(init.cwd);
  }
}

async function serve() {
  const nextLine = lineReader(process.stdin);
  const init = JSON.parse(await nextLine()).value;
  enterFunction(init);
  addImagePackages(init.image_packages);
  let main;
  try {
    main = await loadFunction(init);
  } catch (error) {
    const message = `Initialization has failed due to: ${describeFailure(error)}`;
    await writeLine(process.stderr, message);
    // The cause stays in the logs; the platform's proxy records its own verdict (and the
    // emulator learns which package was missing).
    const missing = missingPackage(error);
    reply(JSON.stringify({ error: INIT_FAILED, ...(missing ? { missing_module: missing } : {}) }));
    process.exit(1);
  }
  reply(JSON.stringify({ ok: true }));
  for (;;) {
    const line = await nextLine();
    let text;
    try {
      text = encode(await activate(main, JSON.parse(line)));
    } catch (error) {
      text = JSON.stringify({ error: messageOf(error) });
    }
    await endOfActivation();
    reply(text);
  }
}

serve().catch((error) => {
  process.stderr.write(`${describeFailure(error)}\n`, () => process.exit(1));
});
