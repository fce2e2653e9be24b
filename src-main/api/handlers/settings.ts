// The app's own settings: which events notify (settings.json, through the profiles service) and
// start at login, which only a host that can do it (the desktop app) offers.
import { CairnError } from '../../../src-worker/index.ts';
import type { ApiContext } from '../context.ts';
import type { HandlerTable } from './types.ts';

const NO_AUTOSTART = 'Start at login is a setting of the desktop app. This page is served by "cairn serve", which runs only while it is started; to have it at login, add "cairn serve" to your system\'s startup programs.';

async function current(ctx: ApiContext) {
  const autostart = ctx.autostart;
  return {
    notifications: ctx.profiles.appSettings.notifications,
    startAtLogin: autostart
      ? { supported: true, enabled: await autostart.get(), reason: null }
      : { supported: false, enabled: false, reason: NO_AUTOSTART },
  };
}

export const settingsHandlers: HandlerTable<'settings.get' | 'settings.update'> = {
  async 'settings.get'(_input, ctx) {
    return current(ctx);
  },

  async 'settings.update'(input, ctx) {
    if (input.startAtLogin !== undefined) {
      if (!ctx.autostart) throw new CairnError('INVALID_ARGUMENT', NO_AUTOSTART);
      await ctx.autostart.set(input.startAtLogin);
    }
    if (input.notifications !== undefined) await ctx.profiles.updateNotifications(input.notifications);
    return current(ctx);
  },
};
