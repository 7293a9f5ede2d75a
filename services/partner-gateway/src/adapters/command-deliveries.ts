import type { Collection, Db } from 'mongodb';
import { insertIfAbsent, mongoCall } from '@voltmesh/mongo';

/** One of our outbound commands, as sent to a partner CPO. */
export interface CommandDelivery {
  _id: string;
  type: string;
  connection_id: string;
  sent_at: Date;
  /** What came of the POST (the CPO's CommandResponse JSON, or why it failed), once known. */
  outcome?: { response_json: string } | { not_delivered: string };
}

/**
 * Which partner each of our outbound commands went to. Written before the POST, so a command
 * is sent at most once even when the dispatcher restarts mid-call (a second START_SESSION is
 * worse than none: the first times out and the driver retries), and read by the gateway to
 * accept a CommandResult only from the partner the command went to.
 */
export class CommandDeliveries {
  private readonly collection: Collection<CommandDelivery>;

  constructor(db: Db) {
    this.collection = db.collection<CommandDelivery>('command_deliveries');
  }

  /** True when this call claimed the command; false when it was already sent (or being sent). */
  claim(commandId: string, type: string, connectionId: string): Promise<boolean> {
    return insertIfAbsent(this.collection, { _id: commandId, type, connection_id: connectionId, sent_at: new Date() }, 'command delivery');
  }

  /** Keeps what the CPO answered, so a replay publishes it again instead of sending the command twice. */
  async recordOutcome(commandId: string, outcome: NonNullable<CommandDelivery['outcome']>): Promise<void> {
    await mongoCall('record command outcome', () => this.collection.updateOne({ _id: commandId }, { $set: { outcome } }));
  }

  async get(commandId: string): Promise<CommandDelivery | undefined> {
    return (await mongoCall('get command delivery', () => this.collection.findOne({ _id: commandId }))) ?? undefined;
  }
}
