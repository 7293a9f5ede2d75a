import type { Kafka } from 'kafkajs';
import { invalidArgument } from '@voltmesh/errors';
import { ConsumerGroups, runConsumer, Topics, type EventPublisher, type RunningConsumer } from '@voltmesh/kafka';
import { tariffs } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import { applyPartnerTariffWrite } from '../application/apply-partner-write.js';
import type { TariffWriter } from '../application/tariff-writer.js';

/** Applies partner writes from gateway.partner-tariff.v1 (in order per tariff: the key). */
export function consumePartnerTariffWrites(kafka: Kafka, writer: TariffWriter, publisher: EventPublisher, logger: Logger): Promise<RunningConsumer> {
  return runConsumer(kafka, {
    groupId: ConsumerGroups.tariffsPartnerWrites,
    topics: [Topics.partnerTariff],
    publisher,
    logger,
    partitionsConsumedConcurrently: 6,
    handle: async (event) => {
      let write: tariffs.PartnerTariffWrite;
      try {
        write = tariffs.PartnerTariffWrite.decode(event.value);
      } catch (error) {
        throw invalidArgument(`undecodable PartnerTariffWrite at offset ${event.offset}: ${String(error)}`);
      }
      await applyPartnerTariffWrite(writer, write);
    },
  });
}
