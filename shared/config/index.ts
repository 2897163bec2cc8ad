// The config module's public surface: parse a config file, show its issues, hide its secrets.
export { parseConnectorConfig, formatIssue, SUPPORTED_CONNECTOR_CLASSES } from './connector-config.js';
export { compileJavaRegExp, type JavaPattern, type JavaRegExpResult } from './java-regexp.js';
export { parseJaasConfig, type JaasConfig, type JaasParse } from './jaas-config.js';
export { DEFAULT_MAX_LINE_BYTES, DEFAULT_ARCHIVE_EXTENSIONS } from './file-connector-config.js';
export { SUPPORTED_SASL_MECHANISMS } from './kafka-security.js';
export * from './spec.js';
export { isSecretKey, redactSettings, redactSpec, redactText, REDACTED } from './secrets.js';
export {
  deadLetterReplicationFactor,
  sortedSettings,
  secretSettingKeys,
  replaceSettingValues,
} from './settings-access.js';
export { CONFIG_KEYS, type ConfigKeyDef, type ConnectorKind } from './config-def.js';
