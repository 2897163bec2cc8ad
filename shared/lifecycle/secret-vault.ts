// Secret values leave the spec before it reaches the store: sealSpec swaps each one for a `secret://...`
// reference kept by a SecretVault, and unsealSpec swaps them back right before a worker uses the spec.
// The store (and anything that prints a stored spec) therefore only ever holds references.
import { hasUrlCredentials } from '../config/secrets.js';
import { replaceSettingValues, secretSettingKeys } from '../config/settings-access.js';
import type { ConnectorSpec, KafkaSecurity } from '../config/spec.js';

export const SECRET_REFERENCE_PREFIX = 'secret://';
export const SECRETS_FILE = 'secrets.json';

export interface SecretVault {
  /** Stores `value` as the secret `key` of `connector`; returns its reference (`secret://...`). */
  put(connector: string, key: string, value: string): Promise<string>;
  /** The value behind a reference this vault returned; an error naming the reference when it is unknown. */
  resolve(reference: string): Promise<string>;
  /** Forgets every secret of the connector (called when the connector is deleted). */
  deleteConnector(connector: string): Promise<void>;
}

export const isSecretReference = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(SECRET_REFERENCE_PREFIX);

const SECURITY_SECRETS = ['saslJaasConfig', 'sslKeystorePassword', 'sslKeyPassword', 'sslTruststorePassword'] as const;

/** A place in a spec that holds a secret value, and the key it is stored under. */
interface SecretSlot {
  holder: Record<string, unknown>;
  prop: string;
  key: string;
}

/** Every secret-holding place of a spec: settings matched by isSecretKey first, then the typed fields. */
function secretSlots(spec: ConnectorSpec): SecretSlot[] {
  const slots: SecretSlot[] = [];
  const add = (holder: object | undefined, prop: string, key: string): void => {
    const h = holder as Record<string, unknown> | undefined;
    if (h && typeof h[prop] === 'string') slots.push({ holder: h, prop, key });
  };
  const security = (s: KafkaSecurity | undefined, at: string): void => {
    for (const p of SECURITY_SECRETS) add(s, p, `${at}.${p}`);
  };
  // A URL carrying user:password@ (a schema registry's) is a secret as a whole, whatever its key.
  for (const k of secretSettingKeys(spec)) add(spec.settings, k, k);
  if (spec.kind === 'file') {
    add(spec.gcs, 'privateKey', 'gcs.privateKey');
    add(spec.s3, 'accessKey', 's3.accessKey');
    add(spec.s3, 'secretKey', 's3.secretKey');
    add(spec.azure, 'clientSecret', 'azure.clientSecret');
    for (const account of Object.keys(spec.azure?.accountKeys ?? {}))
      add(spec.azure?.accountKeys, account, `azure.accountKeys.${account}`);
    security(spec.target?.security, 'target.security');
  } else {
    security(spec.source.security, 'source.security');
    security(spec.sourceAdmin, 'sourceAdmin');
    security(spec.target.security, 'target.security');
    add(spec.valueConverter, 'basicAuthUserInfo', 'valueConverter.basicAuthUserInfo');
    const url = spec.valueConverter.schemaRegistryUrl ?? '';
    if (hasUrlCredentials(url) || isSecretReference(url))
      add(spec.valueConverter, 'schemaRegistryUrl', 'valueConverter.schemaRegistryUrl');
  }
  return slots;
}

/**
 * A copy of the spec with every secret value replaced by its vault reference. A value shared by several places
 * (a settings key and the typed field parsed from it) is stored once; any other settings entry carrying a
 * sealed value is replaced too, so no copy of a secret stays behind under a key isSecretKey does not know.
 */
export async function sealSpec<T extends ConnectorSpec>(spec: T, vault: SecretVault): Promise<T> {
  const sealed = structuredClone(spec);
  const refs = new Map<string, string>();
  for (const { holder, prop, key } of secretSlots(sealed)) {
    const value = holder[prop] as string;
    if (value === '' || isSecretReference(value)) continue;
    let ref = refs.get(value);
    if (ref === undefined) {
      ref = await vault.put(spec.name, key, value);
      refs.set(value, ref);
    }
    holder[prop] = ref;
  }
  replaceSettingValues(sealed, (v) => refs.get(v));
  return sealed;
}

/** The inverse of sealSpec: a copy with every reference (in any settings entry or typed secret field) resolved. */
export async function unsealSpec<T extends ConnectorSpec>(spec: T, vault: SecretVault): Promise<T> {
  const open = structuredClone(spec);
  const values = new Map<string, Promise<string>>();
  const resolve = (ref: string): Promise<string> => {
    let v = values.get(ref);
    if (v === undefined) values.set(ref, (v = vault.resolve(ref)));
    return v;
  };
  const slots = [
    ...secretSlots(open),
    ...Object.keys(open.settings).map((k) => ({ holder: open.settings as Record<string, unknown>, prop: k, key: k })),
  ];
  for (const { holder, prop } of slots) {
    const value = holder[prop];
    if (isSecretReference(value)) holder[prop] = await resolve(value);
  }
  return open;
}
