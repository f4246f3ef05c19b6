<?php
/**
 * Runs INSIDE a function's process, never loaded by the emulator. PHP 8.0+.
 *
 * The emulator's side of this line protocol is emulator/invoker/process.py; the model is
 * DigitalOcean's PHP runtime (runner.php of its php8.x images):
 *
 * 1. argv[1] is the number of an inherited pipe, the result channel.
 * 2. The first stdin line is `{"value": {"code": <path>, "main": <name>, "binary": <bool>}}`.
 *    A directory function's `vendor/autoload.php` (when present) and `index.php` are
 *    required, a single file is required as it is; the result channel gets `{"ok": true}`,
 *    or, after the cause is printed on stderr (`Invalid function: <why>`), `{"error": <what
 *    the platform records>}` and the process exits.
 * 3. Every later stdin line is a run request, `{"value": <event>, "activation_id": ..., ...}`.
 *    Each key but `value` is exported as `__OW_<KEY>` (putenv and $_ENV); main is called as
 *    `main($event, $context)`; the output is flushed, both streams get the sentinel line on
 *    a line of its own, and then the result channel gets one line.
 *
 * The shim keeps no variables in the global scope while user code runs: the user's globals
 * are the user's own.
 */

namespace {
    /** DigitalOcean's `$context` argument: the activation's metadata. */
    class Context
    {
        public $functionName;
        public $functionVersion;
        public $activationId;
        public $requestId;
        public $deadline;
        public $apiHost;
        public $apiKey;
        public $namespace;

        public function getRemainingTimeInMillis()
        {
            $left = $this->deadline - floor(microtime(true) * 1000);
            return $left > 0 ? $left : 0;
        }
    }
}

namespace FunctionsEmulator\Shim {
    const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';
    // What the platform records when the runtime does not acknowledge its initialisation.
    const INIT_FAILED_REPLY = '{"error": "The function did not initialize properly."}';
    const RUN_FAILED = 'An error occurred running the function.';
    const RUN_FAILED_REPLY = '{"error": "' . RUN_FAILED . '"}';
    const FATAL_ERRORS = [
        E_ERROR, E_PARSE, E_CORE_ERROR, E_COMPILE_ERROR, E_USER_ERROR, E_RECOVERABLE_ERROR,
    ];

    /** The shim's state, out of the user's global variables. */
    final class Shim
    {
        /** @var resource */
        public static $results;
        /** 'init' while the function loads, 'run' while main runs, 'idle' in between. */
        public static string $phase = 'init';
        public static string $main = 'main';
        /** The output-buffer level of the shim's own tracking buffer. */
        public static int $bufferLevel = 0;
        /** @var array<string, resource> Where the shim writes: STDOUT and STDERR, watched. */
        public static array $streams = [];
        /** Whether each stream's output so far leaves a line open (no final newline). */
        public static array $open = ['stdout' => false, 'stderr' => false];

        public static function saw(string $stream, string $data): void
        {
            if ($data !== '') {
                self::$open[$stream] = substr($data, -1) !== "\n";
            }
        }
    }

    /** Watches what goes through STDOUT and STDERR: does the last write end a line? */
    final class LineWatch extends \php_user_filter
    {
        public function filter($in, $out, &$consumed, $closing): int
        {
            while ($bucket = stream_bucket_make_writeable($in)) {
                Shim::saw($this->params, $bucket->data);
                $consumed += $bucket->datalen;
                stream_bucket_append($out, $bucket);
            }
            return PSFS_PASS_ON;
        }
    }

    /** Open the result channel, watch the output, read the init line: the files to load. */
    function start(array $argv): array
    {
        Shim::$results = fopen('php://fd/' . (int)($argv[1] ?? 3), 'wb');
        Shim::$streams = ['stdout' => STDOUT, 'stderr' => STDERR];
        stream_filter_register('emulator.linewatch', LineWatch::class);
        stream_filter_append(STDOUT, 'emulator.linewatch', STREAM_FILTER_WRITE, 'stdout');
        stream_filter_append(STDERR, 'emulator.linewatch', STREAM_FILTER_WRITE, 'stderr');
        watch_echo();
        register_shutdown_function(__NAMESPACE__ . '\on_shutdown');

        $init = json_decode(fgets(STDIN) ?: 'null', true)['value'] ?? [];
        $code = (string)($init['code'] ?? '');
        Shim::$main = (string)(($init['main'] ?? '') ?: 'main');
        if (empty($init['binary'])) {
            if (!is_file($code)) {
                cannot_start("Invalid function: $code does not exist.");
            }
            return [$code];
        }
        $entry = $code . '/index.php';
        if (!is_file($entry)) {
            cannot_start("Zip file does not include 'index.php'.");
        }
        $autoload = $code . '/vendor/autoload.php';
        return is_file($autoload) ? [$autoload, $entry] : [$entry];
    }

    /** echo, print and friends go through an output buffer that notes each write. */
    function watch_echo(): void
    {
        ob_start(static function (string $chunk): string {
            Shim::saw('stdout', $chunk);
            return $chunk;
        }, 1);
        Shim::$bufferLevel = ob_get_level();
    }

    /** Fail the initialisation: the cause on stderr, the platform's verdict, exit. */
    function cannot_start(string $cause): void
    {
        write_line('stderr', $cause);
        reply(INIT_FAILED_REPLY);
        exit(1);
    }

    function describe(\Throwable $error): string
    {
        return get_class($error) . ': ' . $error->getMessage()
            . ' in ' . $error->getFile() . ':' . $error->getLine();
    }

    /** After the function's files are loaded: is its main there? Then acknowledge. */
    function ready(string $entry): void
    {
        if (!is_callable(Shim::$main)) {
            $main = Shim::$main;
            cannot_start("Invalid function: $entry does not define a function named '$main'.");
        }
        Shim::$phase = 'idle';
        reply('{"ok": true}');
    }

    function serve(): void
    {
        while (($line = fgets(STDIN)) !== false) {
            $request = json_decode($line, true);
            if (!is_array($request)) {
                $request = [];
            }
            export($request);
            $context = context();
            Shim::$phase = 'run';
            $result = run($request['value'] ?? [], $context);
            Shim::$phase = 'idle';
            flush_buffers();
            end_of_activation();
            reply($result);
        }
    }

    /** Every field but `value` becomes `__OW_<KEY>`, and stays until a later run changes it. */
    function export(array $request): void
    {
        foreach ($request as $key => $value) {
            if ($key === 'value' || !is_string($value)) {
                continue;
            }
            $name = '__OW_' . strtoupper((string)$key);
            $_ENV[$name] = $value;
            putenv("$name=$value");
        }
    }

    function context(): \Context
    {
        $context = new \Context();
        $context->functionName = getenv('__OW_ACTION_NAME');
        $context->functionVersion = getenv('__OW_ACTION_VERSION');
        $context->activationId = getenv('__OW_ACTIVATION_ID');
        $context->requestId = getenv('__OW_TRANSACTION_ID');
        $context->deadline = intval(getenv('__OW_DEADLINE'));
        $context->apiHost = getenv('__OW_API_HOST');
        $context->apiKey = getenv('__OW_API_KEY') ?: '';
        $context->namespace = getenv('__OW_NAMESPACE');
        return $context;
    }

    /** Call main and turn what it returns into the reply line, as DigitalOcean's runner does. */
    function run($event, \Context $context): string
    {
        connect_debugger();
        try {
            // PHP ignores the extra argument of a main that takes only the event.
            $result = (Shim::$main)($event, $context);
            if (is_object($result)) {
                if (method_exists($result, 'getArrayCopy')) {
                    $result = $result->getArrayCopy();
                } elseif ($result instanceof \stdClass) {
                    $result = (array)$result;
                }
            } elseif ($result === null) {
                $result = [];
            }
            if (!is_array($result)) {
                fwrite(STDERR, 'Result must be an array but has type "' . gettype($result) . '": '
                    . $result);
                fwrite(STDOUT, 'The function did not return a dictionary.');
                // The raw value is the reply, on one line: the emulator reports it.
                return str_replace(["\r", "\n"], ' ', (string)$result);
            }
            // As an object, so that [] is {} and a list is {"0": ...}.
            $encoded = json_encode((object)$result);
            if ($encoded === false) {
                fwrite(STDERR, 'The result cannot be encoded as JSON: ' . json_last_error_msg());
                return '';
            }
            return $encoded;
        } catch (\Throwable $error) {
            fwrite(STDERR, (string)$error);
            return RUN_FAILED_REPLY;
        }
    }

    /** Under `--debug`: each activation tries the IDE again, until one listens. */
    function connect_debugger(): void
    {
        if (!function_exists('xdebug_connect_to_client')
            || !str_contains((string)ini_get('xdebug.mode'), 'debug')
            || xdebug_is_debugger_active()) {
            return;
        }
        xdebug_connect_to_client();
    }

    /** Pass on what the function left in output buffers, and keep watching echo. */
    function flush_buffers(): void
    {
        while (ob_get_level() > Shim::$bufferLevel) {
            ob_end_flush();
        }
        if (ob_get_level() < Shim::$bufferLevel) {
            // The function closed the shim's buffer too: start watching again.
            while (ob_get_level() > 0) {
                ob_end_flush();
            }
            watch_echo();
        }
    }

    /** The sentinels, each at the start of a line, once the function's output is out. */
    function end_of_activation(): void
    {
        write_line('stdout', SENTINEL);
        write_line('stderr', SENTINEL);
    }

    function write_line(string $stream, string $text): void
    {
        fwrite(Shim::$streams[$stream], (Shim::$open[$stream] ? "\n" : '') . $text . "\n");
        fflush(Shim::$streams[$stream]);
    }

    function reply(string $line): void
    {
        fwrite(Shim::$results, $line . "\n");
        fflush(Shim::$results);
    }

    /** A fatal error cannot be caught: report it once the function's own shutdown is done. */
    function on_shutdown(): void
    {
        $error = error_get_last();
        if ($error !== null && in_array($error['type'], FATAL_ERRORS, true)) {
            register_shutdown_function(__NAMESPACE__ . '\report_fatal', $error['message']);
        }
        // Otherwise exit() or the end of stdin: no reply, the emulator sees the exit.
    }

    /** As DigitalOcean's runner reports a fatal error, then the process ends at once. */
    function report_fatal(string $message): void
    {
        // A fatal error discards the output buffers and marks every object destroyed, the
        // watching filters among them, so STDOUT and STDERR refuse writes: write through
        // streams of their own. PHP's report of the error ended the last stderr line.
        Shim::$streams = [
            'stdout' => fopen('php://stdout', 'wb'),
            'stderr' => fopen('php://stderr', 'wb'),
        ];
        Shim::$open['stderr'] = false;
        if (Shim::$phase === 'init') {
            write_line('stderr', "Invalid function: $message");
            reply(INIT_FAILED_REPLY);
        } elseif (Shim::$phase === 'run') {
            write_line('stderr', RUN_FAILED);
            // No sentinels, as on the platform: the end of both streams closes the
            // activation's logs.
            reply(RUN_FAILED_REPLY);
        }
        // PHP's own shutdown would go on for a while after the reply, and a process that
        // looks alive may be handed the next activation: end it now, all is out.
        if (function_exists('posix_kill')) {
            posix_kill(getmypid(), 9);
        }
    }
}

namespace {
    $__emulator_files = FunctionsEmulator\Shim\start($argv);
    try {
        // Loaded at the top level, so that the function's top-level variables are globals.
        foreach ($__emulator_files as $__emulator_file) {
            require $__emulator_file;
        }
    } catch (Throwable $__emulator_error) {
        FunctionsEmulator\Shim\cannot_start(
            'Invalid function: ' . FunctionsEmulator\Shim\describe($__emulator_error)
        );
    }
    FunctionsEmulator\Shim\ready(end($__emulator_files));
    unset($__emulator_files, $__emulator_file, $__emulator_error);
    FunctionsEmulator\Shim\serve();
}
