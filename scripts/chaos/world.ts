/**
 * The chaos suite's world: its own Kafka and FerretDB (so killing them touches no other test),
 * the seven mesh processes, simulated partners (a CPO pushing to our eMSP Receivers, an eMSP
 * receiving our pushes and one more eMSP that stays healthy), our demo network seeded through
 * the internal APIs and the CSMS simulator executing the eMSP's commands; plus the faults.
 */
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import type { Location } from '@voltmesh/ocpi';
import { billingService, tokenService } from '@voltmesh/proto';
import { createLogger } from '@voltmesh/telemetry';
import {
  aLocation,
  aToken,
  anEvse,
  aConnector,
  ensureSecrets,
  freePort,
  randomMeshPorts,
  runningPid,
  startFerret,
  startKafka,
  startMesh,
  startSimPartner,
  stopFerret,
  stopKafka,
  stopMesh,
  MESH_PROCESSES,
  type MeshOptions,
  type MeshProcessName,
  type SimPartner,
} from '@voltmesh/testing';
import { ferretPidFile, kafkaPidFile, killHard, meshPidFile } from '../../libs/testing/src/chaos/index.js';
import { startCsmsSimulator, type CsmsSimulator } from '../demo/csms.js';
import type { DemoNetwork } from '../demo/network.js';
import { demoClients, seedDemoNetwork, type DemoClients } from '../demo/seed.js';

export interface ChaosWorldOptions {
  /** Folder for Kafka, FerretDB, the mesh's logs and pid files; emptied by the caller. */
  dir: string;
  /** Our dispatcher's deadline per partner call (the slow-partner fault answers past it). */
  partnerTimeoutMs: number;
  /** The dispatcher's longest push backoff (PUSH_BACKOFF_MAX_MS); its default when absent. */
  pushBackoffMaxMs?: number;
  /** Our network: locations × EVSEs. */
  locations: number;
  evsesPerLocation: number;
  /** The partner CPO's network pushed to our eMSP. */
  partnerLocations: number;
  partnerEvsesPerLocation: number;
  /** How often the CSMS reports a charging period of a running session. */
  meterIntervalMs: number;
  logLevel?: string;
}

export const PARTNER_CPO = { countryCode: 'BE', partyId: 'CPO' };
export const PARTNER_EMSP = { countryCode: 'DE', partyId: 'EMS' };
export const HEALTHY_EMSP = { countryCode: 'FR', partyId: 'EM2' };
/** Our eMSP's driver token, used by the partner CPO's sessions and CDRs. */
export const OUR_DRIVER = { country_code: 'NL', party_id: 'VLM', uid: 'VLM-CHAOS-1', type: 'RFID' as const, contract_id: 'NL-VLM-C00000099-X' };
/** The partner eMSP's driver token, for the sessions at our chargers. */
export const THEIR_DRIVER = aToken({ country_code: 'DE', party_id: 'EMS', uid: 'EMS-CHAOS-1', contract_id: 'DE-EMS-C00000077-X', whitelist: 'ALLOWED', last_updated: new Date().toISOString() });

/** `LOCATION/EVSE` of the partner CPO's EVSE that only the Kafka-down probe writes (the load leaves it alone). */
export const probedEvse = (world: Pick<ChaosWorld, 'partnerNetwork'>): string => `${world.partnerNetwork[0]!.id}/${world.partnerNetwork[0]!.evses.at(-1)!}`;

export interface ChaosWorld {
  versionsUrl: string;
  kafkaBrokers: string[];
  mongoUrl: string;
  meshStateDir: string;
  network: DemoNetwork;
  /** The partner CPO's locations (ids) and their EVSE uids. */
  partnerNetwork: { id: string; evses: string[] }[];
  cpo: SimPartner;
  emsp: SimPartner;
  healthyEmsp: SimPartner;
  csms: CsmsSimulator;
  /**
   * What each partner eMSP read of our EVSEs by GET right after connecting (OCPI's resync; our
   * pushes carry only changes from then on), and when.
   */
  initialPulls: Map<SimPartner, { at: number; statuses: Map<string, string> }>;
  clients: DemoClients;
  billing: billingService.BillingServiceClient;
  /** Pid per process name (mesh, kafka, ferretdb), for memory sampling. */
  pids(): Record<string, number | undefined>;
  killMeshProcess(name: MeshProcessName): Promise<void>;
  /** Starts every mesh process that is not running and waits until each is SERVING (one call at a time: two at once could start a process twice). */
  restartMesh(): Promise<void>;
  killKafka(): Promise<void>;
  restartKafka(): Promise<void>;
  killFerret(): Promise<void>;
  restartFerret(): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosWorld(options: ChaosWorldOptions): Promise<ChaosWorld> {
  const kafkaDir = join(options.dir, 'kafka');
  const ferretDir = join(options.dir, 'ferretdb');
  const meshStateDir = join(options.dir, 'mesh');
  const kafkaOptions = { dir: kafkaDir, port: await freePort(), controllerPort: await freePort() };
  const ferretOptions = { dir: ferretDir, port: await freePort(), debugPort: await freePort() };
  // A setup that fails half-way must not leave a mesh, Kafka and FerretDB running behind it.
  const stopAll = async () => {
    await stopMesh(meshStateDir);
    await Promise.all([stopKafka(kafkaDir), stopFerret(ferretDir)]);
  };
  try {
    return await buildWorld(options, { kafkaDir, ferretDir, meshStateDir, kafkaOptions, ferretOptions, stopAll });
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function buildWorld(
  options: ChaosWorldOptions,
  where: { kafkaDir: string; ferretDir: string; meshStateDir: string; kafkaOptions: Parameters<typeof startKafka>[0]; ferretOptions: Parameters<typeof startFerret>[0]; stopAll: () => Promise<void> },
): Promise<ChaosWorld> {
  const { kafkaDir, ferretDir, meshStateDir, kafkaOptions, ferretOptions } = where;
  const [kafka, ferret] = await Promise.all([startKafka(kafkaOptions), startFerret(ferretOptions)]);
  const secrets = ensureSecrets(meshStateDir);
  const meshOptions: MeshOptions = {
    stateDir: meshStateDir,
    ports: await randomMeshPorts(),
    kafkaBrokers: kafka.brokers,
    mongoUrl: ferret.url,
    secrets,
    databasePrefix: 'chaos',
    logLevel: options.logLevel ?? 'info',
    env: {
      PARTNER_TIMEOUT_MS: String(options.partnerTimeoutMs),
      COMMAND_TIMEOUT_S: '10',
      PULL_POLL_MS: '300',
      SWEEP_INTERVAL_MS: '500',
      ...(options.pushBackoffMaxMs ? { PUSH_BACKOFF_MAX_MS: String(options.pushBackoffMaxMs) } : {}),
    },
  };
  const urls = await startMesh(meshOptions, 120_000);
  const address = (name: MeshProcessName) => `127.0.0.1:${meshOptions.ports.grpc[name]}`;
  const clients = demoClients({ locations: address('locations'), tariffs: address('tariffs') });
  const billing = new billingService.BillingServiceClient(address('billing'), credentials.createInsecure());
  const tokens = new tokenService.TokenServiceClient(address('authorization'), credentials.createInsecure());

  const at = new Date().toISOString();
  const network = await seedDemoNetwork(clients, { countryCode: 'NL', partyId: 'VLT', locations: options.locations, evsesPerLocation: options.evsesPerLocation, at });
  await callUnary<tokenService.IssueTokenRequest, tokenService.IssueTokenResponse>(
    tokens.issueToken.bind(tokens),
    tokenService.IssueTokenRequest.fromPartial({ ocpiJson: JSON.stringify(aToken({ ...OUR_DRIVER, last_updated: at })) }),
    10_000,
  );
  tokens.close();

  const admin = (path: string, body: unknown) =>
    fetch(`${urls.adminUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${secrets.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(20_000) }).then(
      async (response) => (await response.json()) as { token_a: string; versions_url: string },
    );
  const connect = async (partner: SimPartner) => {
    const invitation = await admin('/admin/invitations', { label: 'chaos partner' });
    const registered = await partner.registerWith(invitation.versions_url, invitation.token_a);
    const status = (registered.body as { status_code?: number }).status_code;
    if (status !== 1000) throw new Error(`registration failed: ${JSON.stringify(registered.body)}`);
  };
  const cpo = await startSimPartner({ ...PARTNER_CPO, role: 'CPO', name: 'Chaos partner CPO' });
  const emsp = await startSimPartner({ ...PARTNER_EMSP, role: 'EMSP', name: 'Chaos partner eMSP' });
  const healthyEmsp = await startSimPartner({ ...HEALTHY_EMSP, role: 'EMSP', name: 'Chaos healthy eMSP' });
  emsp.published['tokens'] = [THEIR_DRIVER];
  await connect(cpo);
  await connect(emsp);
  await connect(healthyEmsp);

  // The partner CPO's network, PUT to our eMSP Receiver (each retried until acknowledged).
  const partnerNetwork: ChaosWorld['partnerNetwork'] = [];
  for (let index = 0; index < options.partnerLocations; index += 1) {
    const id = `BE-LOC-${index + 1}`;
    const evses = Array.from({ length: options.partnerEvsesPerLocation }, (_, evse) => `${id}-E${evse + 1}`);
    const location = aLocation({
      country_code: PARTNER_CPO.countryCode,
      party_id: PARTNER_CPO.partyId,
      id,
      evses: evses.map((uid) => anEvse({ uid, evse_id: `BE*CPO*E${uid.replace(/\W/g, '')}`, status: 'AVAILABLE', connectors: [aConnector({ last_updated: at })], last_updated: at })),
      last_updated: at,
    });
    await untilAcknowledged(() => cpo.callPeer('PUT', `${cpo.peerEndpoint('locations', 'RECEIVER')}BE/CPO/${id}`, location), `the partner CPO's location ${id}`);
    partnerNetwork.push({ id, evses });
  }
  // The eMSP's driver token, pushed to our CPO so its commands are accepted at once.
  await untilAcknowledged(() => emsp.callPeer('PUT', `${emsp.peerEndpoint('tokens', 'RECEIVER')}DE/EMS/${THEIR_DRIVER.uid}`, THEIR_DRIVER), "the eMSP's driver token");

  const initialPulls: ChaosWorld['initialPulls'] = new Map();
  for (const partner of [emsp, healthyEmsp]) {
    const at = Date.now();
    const statuses = new Map<string, string>();
    let url: string | undefined = `${partner.peerEndpoint('locations', 'SENDER')}?limit=100`;
    while (url) {
      const page = await partner.callPeer('GET', url);
      for (const location of ((page.body as { data?: Location[] }).data ?? [])) for (const evse of location.evses ?? []) statuses.set(`${location.id}/${evse.uid}`, evse.status);
      url = /<([^>]+)>;\s*rel="next"/.exec(page.headers['link'] ?? '')?.[1];
    }
    initialPulls.set(partner, { at, statuses });
  }

  const csms = await startCsmsSimulator({
    kafkaBrokers: kafka.brokers,
    sessionsAddress: address('sessions'),
    locationsAddress: address('locations'),
    groupId: 'chaos.csms',
    logger: createLogger('csms-simulator', 'fatal'),
    meterIntervalMs: options.meterIntervalMs,
    chargePowerKw: 22,
  });

  const pids = (): Record<string, number | undefined> => ({
    ...Object.fromEntries(MESH_PROCESSES.map((process) => [process.name, runningPid(meshPidFile(meshStateDir, process.name))])),
    kafka: runningPid(kafkaPidFile(kafkaDir)),
    ferretdb: runningPid(ferretPidFile(ferretDir)),
  });

  const restartMesh = async (): Promise<void> => {
    // A process that exits while this waits for the others makes startMesh give up ("exited",
    // stopping what it started): the next try starts them again. One that keeps exiting fails.
    const deadline = Date.now() + 300_000;
    for (;;) {
      try {
        await startMesh(meshOptions, 120_000);
        return;
      } catch (error) {
        if (Date.now() > deadline || !/exited/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };

  return {
    versionsUrl: urls.versionsUrl,
    kafkaBrokers: kafka.brokers,
    mongoUrl: ferret.url,
    meshStateDir,
    network,
    partnerNetwork,
    cpo,
    emsp,
    healthyEmsp,
    csms,
    initialPulls,
    clients,
    billing,
    pids,
    killMeshProcess: async (name) => void (await killHard(meshPidFile(meshStateDir, name))),
    restartMesh,
    killKafka: async () => void (await killHard(kafkaPidFile(kafkaDir))),
    restartKafka: async () => void (await startKafka(kafkaOptions)),
    killFerret: async () => void (await killHard(ferretPidFile(ferretDir))),
    restartFerret: async () => void (await startFerret(ferretOptions)),
    async stop() {
      await csms.stop().catch(() => undefined);
      clients.close();
      billing.close();
      await Promise.all([cpo.close(), emsp.close(), healthyEmsp.close()]);
      await where.stopAll();
    },
  };
}

async function untilAcknowledged(write: () => Promise<{ body: unknown }>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await write().then(
      (answer) => answer.body,
      (error: unknown) => String(error),
    );
    if ((last as { status_code?: number } | undefined)?.status_code === 1000) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} was never acknowledged: last answer ${JSON.stringify(last)}`);
}
