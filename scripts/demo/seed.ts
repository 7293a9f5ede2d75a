import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { locationService, tariffService } from '@voltmesh/proto';
import { demoNetwork, type DemoNetwork, type DemoOptions } from './network.js';

export interface DemoClients {
  locations: locationService.LocationServiceClient;
  tariffs: tariffService.TariffServiceClient;
  close(): void;
}

export function demoClients(addresses: { locations: string; tariffs: string }): DemoClients {
  const locations = new locationService.LocationServiceClient(addresses.locations, credentials.createInsecure());
  const tariffs = new tariffService.TariffServiceClient(addresses.tariffs, credentials.createInsecure());
  return { locations, tariffs, close: () => (locations.close(), tariffs.close()) };
}

/** Publishes the demo network through the internal APIs, as our CSMS would. Idempotent. */
export async function seedDemoNetwork(clients: DemoClients, options: DemoOptions): Promise<DemoNetwork> {
  const network = demoNetwork(options);
  for (const tariff of network.tariffs) {
    await callUnary<tariffService.UpsertTariffRequest, tariffService.UpsertTariffResponse>(clients.tariffs.upsertTariff.bind(clients.tariffs), { ocpiJson: JSON.stringify(tariff) }, 10_000);
  }
  // A few at a time: fast, without flooding the service.
  for (let index = 0; index < network.locations.length; index += 8) {
    await Promise.all(
      network.locations
        .slice(index, index + 8)
        .map((location) =>
          callUnary<locationService.UpsertLocationRequest, locationService.UpsertLocationResponse>(clients.locations.upsertLocation.bind(clients.locations), { ocpiJson: JSON.stringify(location) }, 10_000),
        ),
    );
  }
  return network;
}

const NEXT_STATUS: Record<string, string[]> = {
  AVAILABLE: ['CHARGING', 'CHARGING', 'RESERVED', 'OUTOFORDER'],
  CHARGING: ['AVAILABLE'],
  RESERVED: ['CHARGING', 'AVAILABLE'],
  OUTOFORDER: ['AVAILABLE'],
};

/**
 * The charger simulator: every tick one EVSE moves on (AVAILABLE → CHARGING → AVAILABLE, now
 * and then RESERVED or OUTOFORDER), reported through ReportEvseStatus like our CSMS would.
 */
export function runChargerSimulator(clients: DemoClients, network: DemoNetwork, tickMs: number, onChange?: (change: { evse: string; status: string }) => void): { stop(): void } {
  const statuses = new Map<string, string>();
  const evses = network.locations.flatMap((location) => location.evses.map((evse) => ({ location, evse })));
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const pick = evses[Math.floor(Math.random() * evses.length)]!;
    const current = statuses.get(pick.evse.uid) ?? 'AVAILABLE';
    const choices = NEXT_STATUS[current] ?? ['AVAILABLE'];
    const status = choices[Math.floor(Math.random() * choices.length)]!;
    callUnary<locationService.ReportEvseStatusRequest, locationService.ReportEvseStatusResponse>(
      clients.locations.reportEvseStatus.bind(clients.locations),
      { party: { countryCode: pick.location.country_code, partyId: pick.location.party_id }, locationId: pick.location.id, evseUid: pick.evse.uid, status, at: '' },
      5_000,
    )
      .then(() => {
        statuses.set(pick.evse.uid, status);
        onChange?.({ evse: pick.evse.uid, status });
      })
      .catch((error: unknown) => console.error(`status report failed: ${String(error)}`))
      .finally(() => {
        busy = false;
      });
  }, tickMs);
  return { stop: () => clearInterval(timer) };
}
