import { randomUUID } from 'node:crypto';
import { credentials } from '@grpc/grpc-js';
import { callUnary } from '@voltmesh/grpc';
import { createKafka, EventPublisher, runConsumer, Topics, type RunningConsumer } from '@voltmesh/kafka';
import { chargingProfileService, commands, commandService, locationService, sessionService } from '@voltmesh/proto';

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
  /** How often a started session reports a charging period (meter values); default 30 s. */
  meterIntervalMs?: number;
  /** The power every session charges at, kW; default 11. */
  chargePowerKw?: number;
}

/** The fields of a StartSession (or StopSession) command the simulator reads. */
interface StartBody {
  location_id?: string;
  evse_uid?: string;
  connector_id?: string;
  authorization_reference?: string;
  token?: { country_code: string; party_id: string; uid: string; type: string };
}

export interface CsmsSimulator {
  /** Commands it executed, in order: type, command id, what it reported. */
  readonly handled: { type: string; commandId: string; result: string; sessionId?: string; responseUrl: string; /** When the command reached it, and when its report returned (epoch ms). */ seenAt: number; reportedAt: number }[];
  /** Sessions it reported, by id: periods sent so far and whether it ended. */
  readonly sessions: Map<string, { periods: number; kwh: number; ended: boolean }>;
  stop(): Promise<void>;
}

/**
 * Our CSMS, simulated: it executes the commands partner eMSPs send our CPO (INBOUND commands
 * on sessions.command.v1 that have no result yet) — starts and stops sessions (the EVSE goes
 * CHARGING, then AVAILABLE), accepts reservations, cancellations and unlocks — and reports each
 * result over CommandService.ReportCommandResult within the command's timeout. A started
 * session is reported over SessionService: started, a charging period every meter interval
 * (energy at a constant power), ended when a STOP_SESSION arrives. Charging-profile requests
 * are commands too: set and clear are reported like any command, a GET of the active profile
 * with the profile itself (ChargingProfileService.ReportActiveChargingProfile).
 */
export async function startCsmsSimulator(options: CsmsSimulatorOptions): Promise<CsmsSimulator> {
  const sessions = new commandService.CommandServiceClient(options.sessionsAddress, credentials.createInsecure());
  const locations = new locationService.LocationServiceClient(options.locationsAddress, credentials.createInsecure());
  const sessionReports = new sessionService.SessionServiceClient(options.sessionsAddress, credentials.createInsecure());
  const profiles = new chargingProfileService.ChargingProfileServiceClient(options.sessionsAddress, credentials.createInsecure());
  const meterIntervalMs = options.meterIntervalMs ?? 30_000;
  const powerKw = options.chargePowerKw ?? 11;
  const reported: CsmsSimulator['sessions'] = new Map();
  const meters = new Map<string, NodeJS.Timeout>();
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

  interface Metering {
    cpo: { countryCode: string; partyId: string };
    sessionId: string;
    periodStart: number;
    kwh: number;
    periods: number;
  }
  // One charging period per interval, energy at constant power; rounded to Wh as a meter would.
  const nextPeriod = (m: Metering, until: number) => {
    const hours = (until - m.periodStart) / 3_600_000;
    const energy = Math.round(powerKw * hours * 1000) / 1000;
    const period = { start_date_time: new Date(m.periodStart).toISOString(), dimensions: [{ type: 'ENERGY', volume: energy }, { type: 'TIME', volume: Math.round(hours * 1e6) / 1e6 }] };
    m.kwh = Math.round((m.kwh + energy) * 1000) / 1000;
    m.periodStart = until;
    m.periods += 1;
    return period;
  };
  const metering = new Map<string, Metering>();
  const meter = (m: Metering) => {
    const tick = async () => {
      const now = Date.now();
      const period = nextPeriod(m, now);
      await callUnary<sessionService.ReportSessionProgressRequest, sessionService.ReportSessionProgressResponse>(
        sessionReports.reportSessionProgress.bind(sessionReports),
        sessionService.ReportSessionProgressRequest.fromPartial({ cpo: m.cpo, sessionId: m.sessionId, chargingPeriodsJson: JSON.stringify([period]), kwh: String(m.kwh), at: new Date(now).toISOString() }),
        5_000,
      );
      reported.set(m.sessionId, { periods: m.periods, kwh: m.kwh, ended: false });
    };
    meters.set(m.sessionId, setInterval(() => void tick().catch((error: unknown) => options.logger.warn({ err: error, session_id: m.sessionId }, 'CSMS could not report session progress')), meterIntervalMs));
  };
  const startSession = async (command: commands.Command, sessionId: string, body: StartBody) => {
    if (!command.cpo || !body.token || !body.location_id) return;
    const cpo = { countryCode: command.cpo.countryCode, partyId: command.cpo.partyId };
    const startedAt = Date.now();
    await callUnary<sessionService.ReportSessionStartedRequest, sessionService.ReportSessionStartedResponse>(
      sessionReports.reportSessionStarted.bind(sessionReports),
      sessionService.ReportSessionStartedRequest.fromPartial({
        cpo,
        sessionId,
        tokenParty: { countryCode: body.token.country_code, partyId: body.token.party_id },
        tokenUid: body.token.uid,
        tokenType: body.token.type,
        authMethod: 'COMMAND',
        authorizationReference: body.authorization_reference ?? '',
        locationId: body.location_id,
        evseUid: body.evse_uid ?? '',
        connectorId: body.connector_id ?? '1',
        startDateTime: new Date(startedAt).toISOString(),
        status: 'ACTIVE',
      }),
      5_000,
    );
    const m: Metering = { cpo, sessionId, periodStart: startedAt, kwh: 0, periods: 0 };
    metering.set(sessionId, m);
    reported.set(sessionId, { periods: 0, kwh: 0, ended: false });
    meter(m);
  };
  const endSession = async (sessionId: string) => {
    const m = metering.get(sessionId);
    if (!m) return;
    clearInterval(meters.get(sessionId));
    meters.delete(sessionId);
    metering.delete(sessionId);
    const now = Date.now();
    const last = nextPeriod(m, now);
    await callUnary<sessionService.ReportSessionEndedRequest, sessionService.ReportSessionEndedResponse>(
      sessionReports.reportSessionEnded.bind(sessionReports),
      sessionService.ReportSessionEndedRequest.fromPartial({ cpo: m.cpo, sessionId, chargingPeriodsJson: JSON.stringify([last]), kwh: String(m.kwh), endDateTime: new Date(now).toISOString(), status: 'COMPLETED' }),
      5_000,
    );
    reported.set(sessionId, { periods: m.periods, kwh: m.kwh, ended: true });
  };

  const execute = async (command: commands.Command, seenAt: number): Promise<void> => {
    const type = command.type;
    const result = options.results && type in options.results ? options.results[type] : 'ACCEPTED';
    if (result === undefined) return;
    if (options.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, options.answerDelayMs));
    const body = JSON.parse(command.ocpiJson) as StartBody & { response_url?: string; session_id?: string; duration?: number };
    if (type === 'GET_ACTIVE_CHARGING_PROFILE' && result === 'ACCEPTED' && command.cpo) {
      // The charger's computed limit: what is active now, for the duration asked.
      const profile = {
        start_date_time: new Date().toISOString(),
        charging_profile: { charging_rate_unit: 'W', duration: body.duration ?? 900, charging_profile_period: [{ start_period: 0, limit: powerKw * 1000 }] },
      };
      await callUnary<chargingProfileService.ReportActiveChargingProfileRequest, chargingProfileService.ReportActiveChargingProfileResponse>(
        profiles.reportActiveChargingProfile.bind(profiles),
        chargingProfileService.ReportActiveChargingProfileRequest.fromPartial({ cpo: command.cpo, sessionId: command.sessionId, activeProfileJson: JSON.stringify(profile), commandId: command.id }),
        5_000,
      );
      handled.push({ type, commandId: command.id, result, responseUrl: body.response_url ?? '', seenAt, reportedAt: Date.now() });
      return;
    }
    let sessionId = '';
    if (result === 'ACCEPTED' && type === 'START_SESSION') {
      // Upper case, as OCPI CiStrings travel through the platform (a STOP_SESSION names it so).
      sessionId = randomUUID().toUpperCase();
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
      await endSession(body.session_id);
    }
    await callUnary<commandService.ReportCommandResultRequest, commandService.ReportCommandResultResponse>(
      sessions.reportCommandResult.bind(sessions),
      { commandId: command.id, result, message: '', sessionId, evseUid: '' },
      5_000,
    );
    handled.push({ type, commandId: command.id, result, ...(sessionId ? { sessionId } : {}), responseUrl: body.response_url ?? '', seenAt, reportedAt: Date.now() });
    if (sessionId) await startSession(command, sessionId, body);
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
    sessions: reported,
    async stop() {
      for (const timer of meters.values()) clearInterval(timer);
      meters.clear();
      await consumer.stop();
      await publisher.disconnect();
      sessions.close();
      sessionReports.close();
      profiles.close();
      locations.close();
    },
  };
}
