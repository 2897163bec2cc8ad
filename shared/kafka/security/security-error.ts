/** A security setting that cannot be honoured; names the setting, never its secret value. */
export class KafkaSecurityError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`${key}: ${reason}`);
    this.name = 'KafkaSecurityError';
  }
}
