import type { cdrs } from '@voltmesh/proto';
import type { ReconciliationStore } from '../adapters/reconciliation-store.js';
import type { CdrRecord } from '../domain/cdr-record.js';
import { toProtoCdr } from './cdr-proto.js';
import { mapLimit } from './concurrency.js';

/** Stored CDRs as Cdr messages: an EMSP-role CDR gets the pricing of its reconciliation (when done). */
export class CdrViews {
  constructor(private readonly reconciliations: ReconciliationStore) {}

  async view(record: CdrRecord): Promise<cdrs.Cdr> {
    if (record.role === 'CPO') return toProtoCdr(record);
    const outcome = await this.reconciliations.get(record.key);
    return toProtoCdr(record, outcome?.pricing_json ?? '');
  }

  views(records: readonly CdrRecord[]): Promise<cdrs.Cdr[]> {
    return mapLimit(records, 16, (record) => this.view(record));
  }
}
