// Profiles: repositories and backup plans, stored in one versioned JSON file in the config folder.
export { configDir } from './paths.ts';
export { presetPatterns, presetPlatform, ExcludePresetIds, type ExcludePresetId, type PresetPlatform } from './excludes.ts';
export { nextSlot, periodAfter, describeSchedule, cronProblem, type Schedule } from './schedule.ts';
export { CURRENT_VERSION, emptyProfiles, type Plan, type PlanInput, type Profiles, type RepositoryInput, type RepositoryProfile, type Retention } from './schema.ts';
export { loadProfiles, saveProfiles, profilesPath, PROFILES_FILE, type LoadResult, type UnusableReason } from './store.ts';
export { addRepository, updateRepository, removeRepository, addPlan, updatePlan, removePlan } from './crud.ts';
export { ProfilesService } from './service.ts';
export { defaultAppSettings, loadAppSettings, saveAppSettings, appSettingsPath, APP_SETTINGS_FILE, type AppSettings, type NotificationChoices } from './app-settings.ts';
