// The tray menu as a pure model (state → icon, tooltip, items), rendered by the Electron shell.
export { trayModel, startOfTomorrow, type TrayModel, type TrayInput, type TrayItem, type TrayAction, type TrayIcon, type TrayPlanInput, type TrayProgress } from './model.ts';
export { relativeTime, formatBytes, clockTime, oneLine } from './format.ts';
export { TrayState, type TraySources, type TrayStateOptions, type TrayOutcome } from './state.ts';
