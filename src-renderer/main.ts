// Entry point: pick the transport (Electron's preload or HTTP), start the stores, mount the app.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { connect } from './lib/api/index.ts';
import { app } from './lib/stores/app.svelte.ts';

connect();
void app.start();
mount(App, { target: document.getElementById('app') as HTMLElement });
