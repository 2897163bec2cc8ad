// `dsc tigergraph NAME`: the files a TigerGraph Kafka loader needs to read what the connector wrote (seed §2.3–2.4,
// §3.3–3.4). Secrets go into the 0600 files only; nothing here prints a value of one. Against a deployment the API
// never returns secrets, so each is a placeholder naming the Secret Manager secret to paste from.
import { resolve } from 'node:path';
import type { ConnectorSpec, KafkaEndpoint } from '../config/spec.js';
import { targetFromEnv } from '../kafka/port/target-from-env.js';
import { secretId } from '../lifecycle/secret-manager-vault.js';
import { writeHandoff } from '../tigergraph/gather.js';
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
  const placeholders = new Set<string>();
  const written = await writeHandoff(spec, target, outDir, {
    name: args.name,
    graph: args.graph ?? '<graph>',
    dataSource: args.dataSource ?? 'k1',
    pathPrefix: args.pathPrefix ?? outDir,
    ...(client && {
      placeholder: (key: string) => {
        const id = secretId(spec.name, key.replace(/ \(.*\)$/, ''));
        placeholders.add(id);
        return `<paste secret ${id}>`;
      },
    }),
  });
  for (const f of written.files)
    io.out(`wrote ${f.path}${f.secret ? ' (mode 0600: holds secrets or key material)' : ''}`);
  for (const t of written.topics)
    io.out(`topic ${t.topic}: partitions ${t.partitions?.join(',') ?? '(not read: default_start_offset -2)'}`);
  if (placeholders.size > 0) {
    io.out('the API returns no secrets: replace each <paste secret ...> in datasource.json with the value of');
    for (const id of placeholders) io.out(`  gcloud secrets versions access latest --secret=${id}`);
    io.out(
      'and convert JKS stores with keytool -exportcert (ca.pem) and keytool -importkeystore + openssl (client PEM)',
    );
  }
  io.out('next: copy the folder to the TigerGraph machine, then: gsql ' + `${written.files.at(-1)!.path}`);
  return { notFound: false as const };
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
