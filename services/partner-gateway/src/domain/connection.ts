/**
 * A partner platform connected over OCPI. One connection may carry several roles (OCPI 2.2
 * `roles[]`). Tokens are not part of this model: the connection store keeps them sealed.
 *
 * Tokens, named by direction rather than by the spec's A/B/C (which depend on who started):
 * - inbound: what the partner presents to us. While PENDING it is a registration token (token A
 *   we handed out, or token B we minted when we started the handshake): good for versions and
 *   credentials only. Once REGISTERED it is the partner's full credential.
 * - outbound: what we present to the partner.
 */
export type ConnectionState = 'PENDING' | 'REGISTERED' | 'UNREGISTERED';
export type Initiator = 'PARTNER' | 'US';
/** How we encode our outbound token: Base64 per OCPI 2.2.1, or raw for partners that expect it. */
export type AuthMode = 'base64' | 'plain';
/**
 * The partner's role on a connection that speaks OCPI 2.1.1, whose credentials name a party
 * but no role: agreed outside OCPI, so the operator names it on the invitation or connection.
 * It decides which of our parties and which of our endpoints the partner sees.
 */
export type Role211 = 'CPO' | 'EMSP';

export interface PartnerRole {
  role: string;
  countryCode: string;
  partyId: string;
  businessName: string;
  businessWebsite?: string;
}

export interface PartnerEndpoint {
  module: string;
  interfaceRole: 'SENDER' | 'RECEIVER';
  url: string;
}

export interface Connection {
  id: string;
  state: ConnectionState;
  initiator: Initiator;
  /** Free text an operator gave when inviting or connecting, e.g. the partner's name. */
  label?: string;
  authMode: AuthMode;
  version?: string;
  versionsUrl?: string;
  /** Set when the connection may speak 2.1.1 (see Role211). */
  role211?: Role211;
  /**
   * The IANA time zone of a 2.1.1 CPO's locations that name none (optional in 2.1.1, required in
   * our 2.2.1 model); without it such a location is refused, naming time_zone.
   */
  timeZone211?: string;
  roles: PartnerRole[];
  endpoints: PartnerEndpoint[];
  createdAt: Date;
  updatedAt: Date;
}

/** What a successful handshake learned about the partner. */
export interface PartnerPlatform {
  version: string;
  /** How we encode our token from now on (2.1.1 partners take it raw). */
  authMode: AuthMode;
  versionsUrl: string;
  roles: PartnerRole[];
  endpoints: PartnerEndpoint[];
}

export const partyKey = (countryCode: string, partyId: string): string => `${countryCode.toUpperCase()}*${partyId.toUpperCase()}`;

