import type { IHeaders } from 'kafkajs';

/** Header names every event carries (ARCHITECTURE.md §4). W3C `traceparent`/`tracestate` ride along too. */
export const EventHeader = {
  id: 'event-id',
  type: 'event-type',
  source: 'event-source',
  time: 'event-time',
  partner: 'partner',
  correlationId: 'correlation-id',
} as const;

export interface EventMeta {
  id: string;
  type: string;
  source: string;
  time: string;
  partner?: string;
  correlationId?: string;
}

/** Kafka header values arrive as Buffers (or arrays of them); read them as UTF-8 strings. */
export function readHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

export function readEventMeta(headers: Record<string, string>): EventMeta {
  const meta: EventMeta = {
    id: headers[EventHeader.id] ?? '',
    type: headers[EventHeader.type] ?? '',
    source: headers[EventHeader.source] ?? '',
    time: headers[EventHeader.time] ?? '',
  };
  const partner = headers[EventHeader.partner];
  const correlationId = headers[EventHeader.correlationId];
  if (partner !== undefined) meta.partner = partner;
  if (correlationId !== undefined) meta.correlationId = correlationId;
  return meta;
}
