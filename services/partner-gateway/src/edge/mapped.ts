/**
 * The result of mapping an OCPI object between versions at the gateway edge. What the target
 * version cannot say is reported as a loss (logged, counted and told to the partner), never
 * dropped silently. Where dropping it would change the object's meaning (a price, a credit
 * CDR) the mapper throws `NotExpressible` instead: the object is refused, not sent wrong.
 */
export interface Loss {
  /** JSON path in the source object, e.g. `evses[0].capabilities[2]`. */
  field: string;
  reason: string;
}

export interface Mapped<T> {
  value: T;
  losses: Loss[];
}

/** The object cannot be expressed in the target version without changing what it means. */
export class NotExpressible extends Error {
  constructor(readonly losses: Loss[]) {
    super(`not expressible: ${losses.map((loss) => `${loss.field} (${loss.reason})`).join('; ')}`);
    this.name = 'NotExpressible';
  }
}

/** Collects losses while a mapper walks an object. */
export class LossLog {
  readonly losses: Loss[] = [];
  lose(field: string, reason: string): void {
    this.losses.push({ field, reason });
  }
  mapped<T>(value: T): Mapped<T> {
    return { value, losses: this.losses };
  }
}
