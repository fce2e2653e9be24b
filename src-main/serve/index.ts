// The headless host's HTTP side: `cairn serve` wires the services and calls startServer.
export { startServer, checkListen, type ServeOptions, type RunningServer } from './server.ts';
export { parseListen, isLoopback, DEFAULT_LISTEN, type ListenAddress } from './listen.ts';
export { NOT_BUILT_TEXT } from './static.ts';
