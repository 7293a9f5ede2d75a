import type { Collection, Db } from 'mongodb';
import { mongoCall } from '@voltmesh/mongo';
import type { AuthMode, Connection, ConnectionState, Initiator, PartnerPlatform, Role211 } from '../domain/connection.js';
import { partyKey } from '../domain/connection.js';
import type { TokenCipher } from './token-cipher.js';

/** The stored shape: the connection plus its sealed tokens, in one document so they change together. */
interface ConnectionDocument extends Omit<Connection, 'id'> {
  _id: string;
  /** HMAC of the inbound token; unique. Revoked tokens are replaced by `revoked:<id>:<time>`. */
  inboundTokenHash: string;
  inboundTokenSealed?: string;
  /** A registration token (PENDING) stops working at this time; absent once registered. */
  inboundTokenExpiresAt?: Date;
  /** HMAC of the token a credentials PUT replaced, still accepted on functional modules until `previousTokenValidUntil`. */
  previousTokenHash?: string;
  previousTokenValidUntil?: Date;
  outboundTokenSealed?: string;
  /** `CC*PID` of every role, for the party-ownership check. */
  partyKeys: string[];
}

export interface NewConnection {
  id: string;
  initiator: Initiator;
  authMode: AuthMode;
  label?: string;
  role211?: Role211;
  timeZone211?: string;
  inboundToken: string;
  /** When the registration token stops working (REGISTRATION_TOKEN_TTL_MS from now); absent: never. */
  inboundTokenExpiresAt?: Date;
  outboundToken?: string;
  versionsUrl?: string;
}

export interface Registration {
  platform: PartnerPlatform;
  inboundToken: string;
  outboundToken: string;
  /**
   * On a rotation (credentials PUT): how long the replaced token keeps working on functional
   * modules, so requests already on their way are not refused. 0 (and every first
   * registration: token A dies at once) revokes it with the write.
   */
  previousTokenGraceMs?: number;
}

/** The connection a presented token belongs to, and whether it is a rotated token still in its grace period. */
export interface InboundMatch {
  connection: Connection;
  previousToken: boolean;
}

/**
 * Partner connections in the gateway's database. Every state change is one conditional
 * `findOneAndUpdate` on the connection's document (no transactions: FerretDB has none), keyed
 * on the state and token the caller saw, so two racing handshakes cannot both win.
 */
export class ConnectionStore {
  private readonly collection: Collection<ConnectionDocument>;

  constructor(
    db: Db,
    private readonly cipher: TokenCipher,
  ) {
    this.collection = db.collection<ConnectionDocument>('connections');
  }

  async ensureIndexes(): Promise<void> {
    await mongoCall('createIndex', () => this.collection.createIndex({ inboundTokenHash: 1 }, { unique: true, name: 'inbound_token' }));
    await mongoCall('createIndex', () => this.collection.createIndex({ partyKeys: 1 }, { name: 'party_keys' }));
  }

  async insertPending(input: NewConnection): Promise<Connection> {
    const now = new Date();
    const document: ConnectionDocument = {
      _id: input.id,
      state: 'PENDING',
      initiator: input.initiator,
      authMode: input.authMode,
      roles: [],
      endpoints: [],
      partyKeys: [],
      createdAt: now,
      updatedAt: now,
      inboundTokenHash: this.cipher.lookupHash(input.inboundToken),
      inboundTokenSealed: this.cipher.encrypt(input.inboundToken),
      ...(input.inboundTokenExpiresAt ? { inboundTokenExpiresAt: input.inboundTokenExpiresAt } : {}),
      ...(input.label ? { label: input.label } : {}),
      ...(input.role211 ? { role211: input.role211 } : {}),
      ...(input.timeZone211 ? { timeZone211: input.timeZone211 } : {}),
      ...(input.versionsUrl ? { versionsUrl: input.versionsUrl } : {}),
      ...(input.outboundToken ? { outboundTokenSealed: this.cipher.encrypt(input.outboundToken) } : {}),
    };
    await mongoCall('insert connection', () => this.collection.insertOne(document));
    return toConnection(document);
  }

  /**
   * The live connection whose partner presents `token`: its current inbound token (a
   * registration token only until it expires), or the token a rotation replaced while its
   * grace period lasts. Expiry is checked here, against our clock, not by a TTL index.
   */
  async findByInboundToken(token: string, now: Date = new Date()): Promise<InboundMatch | undefined> {
    const hash = this.cipher.lookupHash(token);
    const document = await mongoCall('find connection', () =>
      this.collection.findOne({ $or: [{ inboundTokenHash: hash }, { previousTokenHash: hash }] }),
    );
    if (!document || document.state === 'UNREGISTERED') return undefined;
    if (document.inboundTokenHash === hash) {
      if (document.inboundTokenExpiresAt && document.inboundTokenExpiresAt.getTime() <= now.getTime()) return undefined;
      return { connection: toConnection(document), previousToken: false };
    }
    const graceEnds = document.previousTokenValidUntil?.getTime() ?? 0;
    return document.state === 'REGISTERED' && graceEnds > now.getTime() ? { connection: toConnection(document), previousToken: true } : undefined;
  }

  async get(id: string): Promise<Connection | undefined> {
    const document = await mongoCall('get connection', () => this.collection.findOne({ _id: id }));
    return document ? toConnection(document) : undefined;
  }

  async list(state?: ConnectionState): Promise<Connection[]> {
    const documents = await mongoCall('list connections', () =>
      this.collection.find(state ? { state } : {}).sort({ createdAt: 1 }).toArray(),
    );
    return documents.map(toConnection);
  }

  /**
   * Moves a connection to REGISTERED with the partner's platform and both tokens, only if it is
   * still in `expectedState` and the partner still holds `presentedToken`: the old inbound token
   * (token A, or the previous C on a credentials PUT) is dead the moment this succeeds — a
   * rotated one only after `previousTokenGraceMs`, and then only on functional modules.
   */
  async register(
    id: string,
    expectedState: ConnectionState,
    presentedToken: string,
    registration: Registration,
  ): Promise<Connection | undefined> {
    const { platform } = registration;
    const now = new Date();
    const grace = expectedState === 'REGISTERED' ? (registration.previousTokenGraceMs ?? 0) : 0;
    // The replaced token: kept (as its HMAC) for the grace period, else forgotten with this write.
    const previous: Pick<ConnectionDocument, 'previousTokenHash' | 'previousTokenValidUntil'> =
      grace > 0 ? { previousTokenHash: this.cipher.lookupHash(presentedToken), previousTokenValidUntil: new Date(now.getTime() + grace) } : {};
    const forget: Record<string, ''> = grace > 0 ? { inboundTokenExpiresAt: '' } : { inboundTokenExpiresAt: '', previousTokenHash: '', previousTokenValidUntil: '' };
    const document = await mongoCall('register connection', () =>
      this.collection.findOneAndUpdate(
        { _id: id, state: expectedState, inboundTokenHash: this.cipher.lookupHash(presentedToken) },
        {
          $unset: forget,
          $set: {
            ...previous,
            state: 'REGISTERED',
            version: platform.version,
            authMode: platform.authMode,
            versionsUrl: platform.versionsUrl,
            roles: platform.roles,
            endpoints: platform.endpoints,
            partyKeys: platform.roles.map((role) => partyKey(role.countryCode, role.partyId)),
            inboundTokenHash: this.cipher.lookupHash(registration.inboundToken),
            inboundTokenSealed: this.cipher.encrypt(registration.inboundToken),
            outboundTokenSealed: this.cipher.encrypt(registration.outboundToken),
            updatedAt: now,
          },
        },
        { returnDocument: 'after' },
      ),
    );
    return document ? toConnection(document) : undefined;
  }

  /** Ends a connection: both tokens are forgotten at once, the record stays for the audit trail. */
  async unregister(id: string, expectedState?: ConnectionState): Promise<Connection | undefined> {
    const now = new Date();
    const document = await mongoCall('unregister connection', () =>
      this.collection.findOneAndUpdate(
        { _id: id, ...(expectedState ? { state: expectedState } : { state: { $ne: 'UNREGISTERED' } }) },
        {
          $set: { state: 'UNREGISTERED', inboundTokenHash: `revoked:${id}:${now.getTime()}`, partyKeys: [], updatedAt: now },
          $unset: { inboundTokenSealed: '', outboundTokenSealed: '', inboundTokenExpiresAt: '', previousTokenHash: '', previousTokenValidUntil: '' },
        },
        { returnDocument: 'after' },
      ),
    );
    return document ? toConnection(document) : undefined;
  }

  /** Removes a pending connection whose handshake failed, so nothing half-made stays behind. */
  async deletePending(id: string): Promise<void> {
    await mongoCall('delete pending connection', () => this.collection.deleteOne({ _id: id, state: 'PENDING' }));
  }

  async inboundToken(id: string): Promise<string | undefined> {
    const document = await mongoCall('read token', () => this.collection.findOne({ _id: id }));
    return document?.inboundTokenSealed ? this.cipher.decrypt(document.inboundTokenSealed) : undefined;
  }

  async outboundToken(id: string): Promise<string | undefined> {
    const document = await mongoCall('read token', () => this.collection.findOne({ _id: id }));
    return document?.outboundTokenSealed ? this.cipher.decrypt(document.outboundTokenSealed) : undefined;
  }

  /** Parties among `keys` that a live connection other than `exceptId` already holds. */
  async partiesHeldElsewhere(keys: string[], exceptId: string): Promise<string[]> {
    if (keys.length === 0) return [];
    const documents = await mongoCall('find party owners', () =>
      this.collection.find({ _id: { $ne: exceptId }, state: 'REGISTERED', partyKeys: { $in: keys } }).toArray(),
    );
    const held = new Set(documents.flatMap((document) => document.partyKeys));
    return keys.filter((key) => held.has(key));
  }
}

function toConnection(document: ConnectionDocument): Connection {
  const connection: Connection = {
    id: document._id,
    state: document.state,
    initiator: document.initiator,
    authMode: document.authMode,
    roles: document.roles,
    endpoints: document.endpoints,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
  if (document.label !== undefined) connection.label = document.label;
  if (document.version !== undefined) connection.version = document.version;
  if (document.versionsUrl !== undefined) connection.versionsUrl = document.versionsUrl;
  if (document.role211 !== undefined) connection.role211 = document.role211;
  if (document.timeZone211 !== undefined) connection.timeZone211 = document.timeZone211;
  return connection;
}
