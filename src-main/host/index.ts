// The application as every host runs it (serve, Electron, tests): one place that builds it.
export { startApp, type AppOptions, type CairnApp } from './app.ts';
export { packageRoot } from './package-root.ts';
