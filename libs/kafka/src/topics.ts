/**
 * The one registry of Kafka topics. The infrastructure script (and later the k8s KafkaTopic
 * resources) create exactly these; services never create topics at start-up.
 * Names follow `<producer>.<entity>.v<major>`; gateway ingress topics are
 * `gateway.partner-<entity>.v1`. Keys are object identities so one object stays on one
 * partition, in order.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** What one event on it means; shown in the service READMEs. */
  readonly description: string;
}

const topic = (name: string, description: string, partitions = 6): TopicSpec => ({ name, partitions, description });

export const Topics = {
  partnerConnection: topic('gateway.partner-connection.v1', 'a partner connection was registered, updated or unregistered', 1),
  partnerLocation: topic('gateway.partner-location.v1', 'a partner pushed a location, EVSE or connector'),
  partnerTariff: topic('gateway.partner-tariff.v1', 'a partner pushed or deleted a tariff'),
  partnerToken: topic('gateway.partner-token.v1', 'a partner pushed a token'),
  partnerSession: topic('gateway.partner-session.v1', 'a partner pushed a session'),
  partnerCommand: topic('gateway.partner-command.v1', 'a partner CPO answered one of our commands or posted its result'),
  location: topic('locations.location.v1', 'a location, EVSE or connector changed'),
  tariff: topic('tariffs.tariff.v1', 'a tariff changed'),
  token: topic('authorization.token.v1', 'a token changed'),
  session: topic('sessions.session.v1', 'a session changed'),
  command: topic('sessions.command.v1', 'a command changed state'),
  activeProfile: topic('sessions.active-profile.v1', 'our CSMS reported an ActiveChargingProfile an eMSP must get'),
  cdr: topic('billing.cdr.v1', 'a CDR was stored (issued by our CPO or received from a partner CPO)'),
} as const satisfies Record<string, TopicSpec>;

/**
 * Consumer groups of the mesh. Each has a dead-letter topic `<group>.dlq` where a message
 * that can never be processed goes, with its error, so it does not block its partition.
 */
export const ConsumerGroups = {
  dispatcherConnections: 'partner-gateway.dispatcher.connections',
  dispatcherLocations: 'partner-gateway.dispatcher.locations',
  dispatcherTariffs: 'partner-gateway.dispatcher.tariffs',
  locationsPartnerWrites: 'locations.partner-writes',
  tariffsPartnerWrites: 'tariffs.partner-writes',
  dispatcherTokens: 'partner-gateway.dispatcher.tokens',
  dispatcherCommands: 'partner-gateway.dispatcher.commands',
  authorizationPartnerWrites: 'authorization.partner-writes',
  sessionsPartnerCommands: 'sessions.partner-commands',
  dispatcherSessions: 'partner-gateway.dispatcher.sessions',
  dispatcherCdrs: 'partner-gateway.dispatcher.cdrs',
  billingSessions: 'billing.sessions',
  dispatcherActiveProfiles: 'partner-gateway.dispatcher.active-profiles',
  /** The demo's charger simulator, standing in for our CSMS: executes inbound commands. */
  csmsCommands: 'csms.commands',
} as const;

export const dlqTopicName = (groupId: string): string => `${groupId}.dlq`;

/** Every topic the infrastructure must create: the registry plus one DLQ per group. */
export function allTopics(): TopicSpec[] {
  const dlqs = Object.values(ConsumerGroups).map((group) =>
    topic(dlqTopicName(group), `messages group ${group} could not process`, 1),
  );
  return [...Object.values(Topics), ...dlqs];
}
