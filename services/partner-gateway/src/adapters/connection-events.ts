import { Topics, type EventPublisher } from '@voltmesh/kafka';
import { partners } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { ConnectionChange, ConnectionEvents } from '../application/context.js';
import type { Connection } from '../domain/connection.js';
import { connectionToProto } from './connection-proto.js';

const CHANGE: Record<ConnectionChange, partners.ChangeKind> = {
  REGISTERED: partners.ChangeKind.CHANGE_KIND_REGISTERED,
  UPDATED: partners.ChangeKind.CHANGE_KIND_UPDATED,
  UNREGISTERED: partners.ChangeKind.CHANGE_KIND_UNREGISTERED,
};

/**
 * Publishes PartnerConnectionChanged. The connection itself is already durable in Mongo when
 * this runs, so a Kafka outage does not undo a handshake: the failure is logged, and the
 * dispatcher also reloads connections from the store on start and every DIRECTORY_RELOAD_MS.
 */
export class KafkaConnectionEvents implements ConnectionEvents {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
  ) {}

  async published(connection: Connection, change: ConnectionChange, correlationId?: string): Promise<void> {
    const value = partners.PartnerConnectionChanged.encode({ connection: connectionToProto(connection), change: CHANGE[change] }).finish();
    try {
      await this.publisher.publish({
        topic: Topics.partnerConnection,
        key: connection.id,
        type: 'voltmesh.gateway.v1.PartnerConnectionChanged',
        value,
        partner: connection.id,
        ...(correlationId ? { correlationId } : {}),
      });
    } catch (error) {
      this.logger.error({ err: error, connection_id: connection.id, change }, 'could not publish connection change');
    }
  }
}
