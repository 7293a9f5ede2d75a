import { randomUUID } from 'node:crypto';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { createKafka, EventPublisher, runConsumer, Topics, type RunningConsumer } from '@voltmesh/kafka';
import { commands, commandService, locationService } from '@voltmesh/proto';

/** The mesh's logger (pino), as the Kafka client takes it. */
type Logger = Parameters<typeof createKafka>[1];

export interface CsmsSimulatorOptions {
  kafkaBrokers: string[];
  sessionsAddress: string;
  locationsAddress: string;
  /** Its consumer group; tests give each run its own. */
  groupId: string;
  logger: Logger;
  /** How long the "charger" takes to answer a command. */
  answerDelayMs?: number;
  /** The CommandResult it reports per command type; default ACCEPTED. A type mapped to undefined is never answered (its command times out). */
  results?: Partial<Record<string, string | undefined>>;
}

export interface CsmsSimulator {
  /** Commands it executed, in order: type, command id, what it reported. */
  readonly handled: { type: string; commandId: string; result: string; sessionId?: string; responseUrl: string; /** When the command reached it, and when its report returned (epoch ms). */ seenAt: number; reportedAt: number }[];
  stop(): Promise<void>;
}

/**
 * Our CSMS, simulated: it executes the commands partner eMSPs send our CPO (INBOUND commands
 * on sessions.command.v1 that have no result yet) — starts and stops sessions (the EVSE goes
 * CHARGING, then AVAILABLE), accepts reservations, cancellations and unlocks — and reports each
 * result over CommandService.ReportCommandResult within the command's timeout.
 */
export async function startCsmsSimulator(options: CsmsSimulatorOptions): Promise<CsmsSimulator> {
  const sessions = new commandService.CommandServiceClient(options.sessionsAddress, credentials.createInsecure());
  const locations = new locationService.LocationServiceClient(options.locationsAddress, credentials.createInsecure());
  const kafka = createKafka({ brokers: options.kafkaBrokers, clientId: 'csms-simulator' }, options.logger);
  const publisher = new EventPublisher(kafka, 'csms-simulator');
  await publisher.connect();
  const handled: CsmsSimulator['handled'] = [];
  // Commands taken on, before their report returns: a republished event must not run one twice.
  const taken = new Set<string>();
  // Session id → where it charges, so a stop frees the right EVSE.
  const charging = new Map<string, { countryCode: string; partyId: string; locationId: string; evseUid: string }>();

  const setStatus = async (where: { countryCode: string; partyId: string; locationId: string; evseUid: string }, status: string) => {
    await callUnary<locationService.ReportEvseStatusRequest, locationService.ReportEvseStatusResponse>(
      locations.reportEvseStatus.bind(locations),
      { party: { countryCode: where.countryCode, partyId: where.partyId }, locationId: where.locationId, evseUid: where.evseUid, status, at: '' },
      5_000,
    );
  };

  const execute = async (command: commands.Command, seenAt: number): Promise<void> => {
    const type = command.type;
    const result = options.results && type in options.results ? options.results[type] : 'ACCEPTED';
    if (result === undefined) return;
    if (options.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, options.answerDelayMs));
    const body = JSON.parse(command.ocpiJson) as { response_url?: string; session_id?: string; location_id?: string; evse_uid?: string };
    let sessionId = '';
    if (result === 'ACCEPTED' && type === 'START_SESSION') {
      sessionId = randomUUID();
      if (command.cpo && body.location_id && body.evse_uid) {
        const where = { countryCode: command.cpo.countryCode, partyId: command.cpo.partyId, locationId: body.location_id, evseUid: body.evse_uid };
        charging.set(sessionId, where);
        await setStatus(where, 'CHARGING');
      }
    }
    if (result === 'ACCEPTED' && type === 'STOP_SESSION' && body.session_id) {
      const where = charging.get(body.session_id);
      charging.delete(body.session_id);
      if (where) await setStatus(where, 'AVAILABLE');
    }
    await callUnary<commandService.ReportCommandResultRequest, commandService.ReportCommandResultResponse>(
      sessions.reportCommandResult.bind(sessions),
      { commandId: command.id, result, message: '', sessionId, evseUid: '' },
      5_000,
    );
    handled.push({ type, commandId: command.id, result, ...(sessionId ? { sessionId } : {}), responseUrl: body.response_url ?? '', seenAt, reportedAt: Date.now() });
  };

  const consumer: RunningConsumer = await runConsumer(kafka, {
    groupId: options.groupId,
    topics: [Topics.command],
    publisher,
    logger: options.logger,
    partitionsConsumedConcurrently: 6,
    handle: async (event) => {
      const command = commands.CommandChanged.decode(event.value).command;
      const waiting =
        command?.direction === commands.CommandDirection.COMMAND_DIRECTION_INBOUND &&
        command.state === commands.CommandState.COMMAND_STATE_ACCEPTED &&
        !command.resultJson;
      if (!waiting || taken.has(command.id)) return;
      taken.add(command.id);
      // The charger answers in its own time; the consumer moves on (commands of other chargers wait for nobody).
      void execute(command, Date.now()).catch((error: unknown) => options.logger.warn({ err: error, command_id: command.id }, 'CSMS could not report a command result'));
    },
  });

  return {
    handled,
    async stop() {
      await consumer.stop();
      await publisher.disconnect();
      sessions.close();
      locations.close();
    },
  };
}
