// `dsc tigergraph NAME`: the files a TigerGraph Kafka loader needs to read what the connector wrote (seed §2.3–2.4,
// §3.3–3.4). Secrets go into the 0600 files only; nothing here prints a value of one. Against a deployment the API
// never returns secrets, so each is a placeholder naming the Secret Manager secret to paste from.
import { resolve } from 'node:path';
import type { ConnectorSpec, KafkaEndpoint } from '../config/spec.js';
import { targetFromEnv } from '../kafka/port/target-from-env.js';
import { CONNECTOR_LABEL, connectorLabel, secretId } from '../lifecycle/secret-manager-vault.js';
import { targetOf, writeHandoff, type WrittenHandoff } from '../tigergraph/gather.js';
import type { JaasPart } from '../tigergraph/handoff.js';
import type { CliIo } from './io.js';
import { EXIT } from './exit-codes.js';
import { HttpTransport } from './http-transport.js';
import { ManagementClient } from './management-client.js';

export interface TigergraphArgs {
  name: string;
  out?: string;
  graph?: string;
  dataSource?: string;
  pathPrefix?: string;
}

/** Writes the hand-off; `client` is set for a deployment (DSC_URL), undefined for the local state. */
export async function tigergraphCommand(args: TigergraphArgs, client: ManagementClient | undefined, io: CliIo) {
  let spec: ConnectorSpec;
  let target: KafkaEndpoint;
  if (client) {
    spec = (await client.config(args.name)).config;
    target = targetFromEnv(io.env);
  } else {
    const { embeddedConnectorWithSecrets } = await import('../app/wiring.js');
    const found = await embeddedConnectorWithSecrets(io.env, io.cwd, args.name);
    if (!found) return { notFound: true as const };
    ({ spec, target } = found);
  }
  const outDir = resolve(io.cwd, args.out ?? `tigergraph/${args.name}`);
  // Against a deployment: the connector's own keys are in Secret Manager under secretId(connector, key); the
  // deployment's target (no target keys in the config) is configured by infra, its password by kafka_sasl_password_secret.
  const ownTarget = spec.kind === 'mirror' || spec.target !== undefined;
  const secrets = new Set<string>();
  let deploymentPassword = false;
  const placeholder = (key: string, part?: JaasPart): string => {
    if (!ownTarget) {
      if (part === 'password') deploymentPassword = true;
      return part === 'password'
        ? '<paste the Kafka password: Secret Manager secret named by infra variable kafka_sasl_password_secret>'
        : `<paste KAFKA_SASL_${(part ?? key).toUpperCase()}>`;
    }
    const id = secretId(spec.name, key);
    secrets.add(id);
    return part ? `<paste ${part}="..." of secret ${id}>` : `<paste secret ${id}>`;
  };
  const written = await writeHandoff(spec, target, outDir, {
    name: args.name,
    graph: args.graph ?? '<graph>',
    dataSource: args.dataSource ?? 'k1',
    pathPrefix: args.pathPrefix ?? outDir,
    ...(client && { placeholder }),
  });
  for (const f of written.files)
    io.out(`wrote ${f.path}${f.secret ? ' (mode 0600: holds secrets or key material)' : ''}`);
  for (const t of written.topics) {
    io.out(`topic ${t.topic}: partitions ${t.partitions?.join(',') ?? '(not read: default_start_offset -2)'}`);
    if (t.sample && 'from' in t.sample) io.out(`  LOAD line from the first line of ${t.sample.from}`);
    else if (t.sample) io.out(`  LOAD line not sampled (${t.sample.missing}): finish it by hand`);
  }
  if (client) printDeploymentSteps(io, spec, targetOf(spec, target), written, { secrets, deploymentPassword });
  io.out('next: copy the folder to the TigerGraph machine, then: gsql ' + `${written.files.at(-1)!.path}`);
  return { notFound: false as const };
}

/** What is left to do by hand against a deployment: paste the secrets, convert the stores it could not read. */
function printDeploymentSteps(
  io: CliIo,
  spec: ConnectorSpec,
  target: KafkaEndpoint,
  written: WrittenHandoff,
  pasted: { secrets: Set<string>; deploymentPassword: boolean },
): void {
  if (pasted.secrets.size > 0 || pasted.deploymentPassword) {
    io.out('the API returns no secrets: replace each <paste ...> in datasource.json (the JAAS ones: the option named)');
    for (const id of pasted.secrets) io.out(`  gcloud secrets versions access latest --secret=${id}`);
    if (pasted.secrets.size > 0) {
      io.out("  (a value used under several keys is stored once, under the first key; all of the connector's:");
      io.out(`   gcloud secrets list --filter=labels.${CONNECTOR_LABEL}=${connectorLabel(spec.name)})`);
    }
  }
  const has = (name: string) => written.files.some((f) => f.path.endsWith(`/${name}`));
  const s = target.security;
  if (!s.protocol.endsWith('SSL')) return;
  const p = s.keyPrefix ?? '';
  if (s.sslTruststoreLocation && !has('ca.pem'))
    io.out(
      `write ca.pem from ${p}ssl.truststore.location ${s.sslTruststoreLocation}: ` +
        'keytool -exportcert -rfc -alias <alias> -keystore <store> -file ca.pem (JKS), ' +
        'openssl pkcs12 -in <store> -nokeys -out ca.pem (PKCS12)',
    );
  if (s.sslKeystoreLocation && !has('client.key.pem'))
    io.out(
      `write client.crt.pem and client.key.pem (mode 0600) from ${p}ssl.keystore.location ${s.sslKeystoreLocation}: ` +
        'keytool -importkeystore -srckeystore <store> -destkeystore client.p12 -deststoretype PKCS12 (JKS), then ' +
        'openssl pkcs12 -in client.p12 -clcerts -nokeys -out client.crt.pem; ' +
        'openssl pkcs12 -in client.p12 -nocerts -nodes -out client.key.pem',
    );
}

/** The command: the local state without a URL, else the deployment's API. */
export async function tigergraphMain(args: TigergraphArgs, url: string | undefined, io: CliIo): Promise<number> {
  const a: TigergraphArgs = {
    name: args.name,
    ...(args.out !== undefined && { out: args.out }),
    ...(args.graph !== undefined && { graph: args.graph }),
    ...(args.dataSource !== undefined && { dataSource: args.dataSource }),
    ...(args.pathPrefix !== undefined && { pathPrefix: args.pathPrefix }),
  };
  if (!url) {
    if ((await tigergraphCommand(a, undefined, io)).notFound) {
      io.err(`dsc: connector ${a.name} not found`);
      return EXIT.NOT_FOUND;
    }
    return EXIT.OK;
  }
  const transport = new HttpTransport(url, io.env.DSC_TOKEN);
  try {
    await tigergraphCommand(a, new ManagementClient(transport), io);
    return EXIT.OK;
  } finally {
    await transport.close();
  }
}
