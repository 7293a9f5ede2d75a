import type { Collection, Db } from 'mongodb';
import { mongoCall } from '@voltmesh/mongo';
import type { AuthMode, Connection, ConnectionState, Initiator, PartnerPlatform } from '../domain/connection.js';
import { partyKey } from '../domain/connection.js';
import type { TokenCipher } from './token-cipher.js';

/** The stored shape: the connection plus its sealed tokens, in one document so they change together. */
interface ConnectionDocument extends Omit<Connection, 'id'> {
  _id: string;
  /** HMAC of the inbound token; unique. Revoked tokens are replaced by `revoked:<id>:<time>`. */
  inboundTokenHash: string;
  inboundTokenSealed?: string;
  outboundTokenSealed?: string;
  /** `CC*PID` of every role, for the party-ownership check. */
  partyKeys: string[];
}

export interface NewConnection {
  id: string;
  initiator: Initiator;
  authMode: AuthMode;
  label?: string;
  inboundToken: string;
  outboundToken?: string;
  versionsUrl?: string;
}

export interface Registration {
  platform: PartnerPlatform;
  inboundToken: string;
  outboundToken: string;
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
      ...(input.label ? { label: input.label } : {}),
      ...(input.versionsUrl ? { versionsUrl: input.versionsUrl } : {}),
      ...(input.outboundToken ? { outboundTokenSealed: this.cipher.encrypt(input.outboundToken) } : {}),
    };
    await mongoCall('insert connection', () => this.collection.insertOne(document));
    return toConnection(document);
  }

  async findByInboundToken(token: string): Promise<Connection | undefined> {
    const document = await mongoCall('find connection', () =>
      this.collection.findOne({ inboundTokenHash: this.cipher.lookupHash(token) }),
    );
    return document && document.state !== 'UNREGISTERED' ? toConnection(document) : undefined;
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
   * (token A, or the previous C on a credentials PUT) is dead the moment this succeeds.
   */
  async register(
    id: string,
    expectedState: ConnectionState,
    presentedToken: string,
    registration: Registration,
  ): Promise<Connection | undefined> {
    const { platform } = registration;
    const document = await mongoCall('register connection', () =>
      this.collection.findOneAndUpdate(
        { _id: id, state: expectedState, inboundTokenHash: this.cipher.lookupHash(presentedToken) },
        {
          $set: {
            state: 'REGISTERED',
            version: platform.version,
            versionsUrl: platform.versionsUrl,
            roles: platform.roles,
            endpoints: platform.endpoints,
            partyKeys: platform.roles.map((role) => partyKey(role.countryCode, role.partyId)),
            inboundTokenHash: this.cipher.lookupHash(registration.inboundToken),
            inboundTokenSealed: this.cipher.encrypt(registration.inboundToken),
            outboundTokenSealed: this.cipher.encrypt(registration.outboundToken),
            updatedAt: new Date(),
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
          $unset: { inboundTokenSealed: '', outboundTokenSealed: '' },
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
  return connection;
}
