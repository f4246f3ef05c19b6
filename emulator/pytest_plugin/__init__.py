"""The pytest plugin: a project's functions tested against the emulator, with one fixture.

`plugin` is the `pytest11` entry point. Nothing here imports the emulator's server (aiohttp,
the invoker) until a test asks for a fixture, so that an unused plugin costs nothing and
coverage sees the emulator's modules load.

- `options`: which project, which functions, which bound values (ini, marker, rootdir);
- `activation`: the values a test asserts on (Activation, WebResponse) and their errors;
- `server`: the emulator in-process on a free loopback port, in a thread or in a loop;
- `scheduling`: the fake clock, and firing what a move of it makes due;
- `calls`: the REST calls both handles make; `handle`, `async_handle`: what the fixtures
  yield, over real HTTP;
- `fixtures`, `async_fixtures`: the fixtures, registered unless the plugin is turned off;
- `reporting`: the start's "cannot run here" lines, and logs in failed comparisons.
"""
