import { Topics, type EventPublisher } from '@voltmesh/kafka';
import { commands, locations, objects, sessions, tariffs, tokens } from '@voltmesh/proto';
import type { LocationWrite } from '../application/receivers/location-write.js';
import type { SessionWrite } from '../application/receivers/receive-session.js';
import type { TariffWrite } from '../application/receivers/tariff-write.js';
import type { TokenWrite } from '../application/receivers/token-write.js';

/**
 * Publishes accepted partner writes to the ingress topics. `publish` resolves once Kafka has
 * the event on every in-sync replica (acks=all): only then is the partner answered.
 */
export class IngressPublisher {
  constructor(private readonly publisher: Pick<EventPublisher, 'publish'>) {}

  async locationWrite(connectionId: string, write: LocationWrite, correlationId?: string): Promise<void> {
    const { address } = write;
    const event: locations.PartnerLocationWrite = {
      connectionId,
      party: { countryCode: address.countryCode.toUpperCase(), partyId: address.partyId.toUpperCase() },
      locationId: address.locationId,
      evseUid: address.evseUid ?? '',
      connectorId: address.connectorId ?? '',
      method: write.method === 'PUT' ? objects.WriteMethod.WRITE_METHOD_PUT : objects.WriteMethod.WRITE_METHOD_PATCH,
      ocpiJson: JSON.stringify(write.method === 'PUT' ? write.object : write.patch),
      receivedAt: new Date().toISOString(),
    };
    await this.publisher.publish({
      topic: Topics.partnerLocation,
      // The location's identity: every write to one location stays in order on one partition.
      key: `${event.party?.countryCode}*${event.party?.partyId}*${address.locationId.toUpperCase()}`,
      type: 'voltmesh.locations.v1.PartnerLocationWrite',
      value: locations.PartnerLocationWrite.encode(event).finish(),
      partner: connectionId,
      ...(correlationId ? { correlationId } : {}),
    });
  }

  async sessionWrite(connectionId: string, write: SessionWrite, correlationId?: string): Promise<void> {
    const { address } = write;
    const party = { countryCode: address.countryCode.toUpperCase(), partyId: address.partyId.toUpperCase() };
    const sessionId = address.sessionId.toUpperCase();
    const event: sessions.PartnerSessionWrite = {
      connectionId,
      party,
      sessionId,
      method: write.method === 'PUT' ? objects.WriteMethod.WRITE_METHOD_PUT : objects.WriteMethod.WRITE_METHOD_PATCH,
      ocpiJson: JSON.stringify(write.method === 'PUT' ? write.object : write.patch),
      receivedAt: new Date().toISOString(),
      replacePeriods: write.method === 'PATCH' && write.replacePeriods === true,
    };
    await this.publisher.publish({
      topic: Topics.partnerSession,
      // The session's identity (CPO party and id): every write to one session stays in order on one partition.
      key: `${party.countryCode}*${party.partyId}*${sessionId}`,
      type: 'voltmesh.sessions.v1.PartnerSessionWrite',
      value: sessions.PartnerSessionWrite.encode(event).finish(),
      partner: connectionId,
      ...(correlationId ? { correlationId } : {}),
    });
  }

  async tariffWrite(connectionId: string, write: TariffWrite, correlationId?: string): Promise<void> {
    const { address } = write;
    const event: tariffs.PartnerTariffWrite = {
      connectionId,
      party: { countryCode: address.countryCode.toUpperCase(), partyId: address.partyId.toUpperCase() },
      tariffId: address.tariffId,
      method: write.method === 'PUT' ? objects.WriteMethod.WRITE_METHOD_PUT : objects.WriteMethod.WRITE_METHOD_DELETE,
      ocpiJson: write.method === 'PUT' ? JSON.stringify(write.object) : '',
      receivedAt: new Date().toISOString(),
    };
    await this.publisher.publish({
      topic: Topics.partnerTariff,
      key: `${event.party?.countryCode}*${event.party?.partyId}*${address.tariffId.toUpperCase()}`,
      type: 'voltmesh.tariffs.v1.PartnerTariffWrite',
      value: tariffs.PartnerTariffWrite.encode(event).finish(),
      partner: connectionId,
      ...(correlationId ? { correlationId } : {}),
    });
  }

  async tokenWrite(connectionId: string, write: TokenWrite, correlationId?: string): Promise<void> {
    const { address } = write;
    const event: tokens.PartnerTokenWrite = {
      connectionId,
      party: { countryCode: address.countryCode.toUpperCase(), partyId: address.partyId.toUpperCase() },
      uid: address.uid,
      type: address.type,
      method: write.method === 'PUT' ? objects.WriteMethod.WRITE_METHOD_PUT : objects.WriteMethod.WRITE_METHOD_PATCH,
      ocpiJson: JSON.stringify(write.method === 'PUT' ? write.object : write.patch),
      receivedAt: new Date().toISOString(),
    };
    await this.publisher.publish({
      topic: Topics.partnerToken,
      key: `${event.party?.countryCode}*${event.party?.partyId}*${address.uid}*${address.type}`.toUpperCase(),
      type: 'voltmesh.authorization.v1.PartnerTokenWrite',
      value: tokens.PartnerTokenWrite.encode(event).finish(),
      partner: connectionId,
      ...(correlationId ? { correlationId } : {}),
    });
  }

  /** What a partner CPO said about one of our commands: its CommandResponse, its CommandResult, or that it could not be reached. */
  async commandEvent(event: commands.PartnerCommandEvent, correlationId?: string): Promise<void> {
    await this.publisher.publish({
      topic: Topics.partnerCommand,
      // The command's identity: its response and result stay in order.
      key: event.commandId,
      type: 'voltmesh.sessions.v1.PartnerCommandEvent',
      value: commands.PartnerCommandEvent.encode(event).finish(),
      partner: event.connectionId,
      ...(correlationId ? { correlationId } : {}),
    });
  }
}
