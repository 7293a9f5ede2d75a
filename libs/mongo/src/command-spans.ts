import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent, MongoClient } from 'mongodb';

const tracer = trace.getTracer('@voltmesh/mongo');
/** Driver chatter that is no operation of ours. */
const IGNORED = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'buildInfo', 'getMore']);

/**
 * A CLIENT span per MongoDB command (`find gateway.push_outbox`), from the driver's command
 * monitoring, parented on the operation that issued it. Names and collections only: no filter
 * or document goes on a span (they hold tokens and driver identifiers).
 */
export function traceCommands(client: MongoClient): void {
  const open = new Map<number, Span>();
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (IGNORED.has(event.commandName)) return;
    const raw: unknown = event.command[event.commandName];
    const collection = typeof raw === 'string' ? raw : undefined;
    const span = tracer.startSpan(
      `${event.commandName} ${event.databaseName}${collection ? `.${collection}` : ''}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'mongodb',
          'db.namespace': event.databaseName,
          'db.operation.name': event.commandName,
          ...(collection ? { 'db.collection.name': collection } : {}),
        },
      },
      context.active(),
    );
    open.set(event.requestId, span);
  });
  const end = (event: CommandSucceededEvent | CommandFailedEvent, failure?: Error) => {
    const span = open.get(event.requestId);
    if (!span) return;
    open.delete(event.requestId);
    if (failure) span.setStatus({ code: SpanStatusCode.ERROR, message: failure.name });
    span.end();
  };
  client.on('commandSucceeded', (event) => end(event));
  client.on('commandFailed', (event) => end(event, event.failure));
}
