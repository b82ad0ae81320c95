export { resolveSettings, settingsFrom, loadSettings, settingsError, DEFAULT_SNAPSHOT_FILE } from './resolve.js';
export type { SettingsParts } from './resolve.js';
export { defineConfig, readConfig, configFilesIn, CONFIG_FILES, PACKAGE_JSON_KEY } from './config-file.js';
export { readEnvFiles } from './env-files.js';
export { SETTING_KEYS, CONFIG_KEYS } from './keys.js';
export { MAX_TIMER_MS } from './values.js';
export type { RawFlags, Settings, SettingsInput, SettingsResult, TodoDbConfig, LoadedConfig } from './types.js';
