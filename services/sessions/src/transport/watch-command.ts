import type { ServerWritableStream } from '@grpc/grpc-js';
import { notFound, unavailable } from '@voltmesh/errors';
import { toServiceError } from '@voltmesh/grpc';
import type { commands, commandService } from '@voltmesh/proto';
import type { Logger } from '@voltmesh/telemetry';
import type { CommandStore } from '../adapters/command-store.js';
import { FINAL_PROTO_STATES, toProto } from '../application/command-proto.js';
import type { CommandWatchers } from '../application/command-watchers.js';
import { requiredText } from '../application/request-fields.js';

type WatchCall = ServerWritableStream<commandService.WatchCommandRequest, commandService.WatchCommandResponse>;

/**
 * WatchCommand: the command's current state, then every newer revision this replica learns of
 * (its own saves and, through the follower, every replica's), until a final state, the
 * caller's cancel, or our shutdown (UNAVAILABLE: watch again). It subscribes before it reads,
 * so no change between the read and the subscription is missed; revisions keep the order.
 */
export function watchCommandHandler(store: Pick<CommandStore, 'get'>, watchers: CommandWatchers, logger: Logger): (call: WatchCall) => void {
  return (call) => {
    let lastRevision = -1;
    let done = false;
    let unsubscribe = (): void => undefined;

    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      unsubscribe();
      if (error === undefined) call.end();
      else call.emit('error', toServiceError(error, logger));
    };
    const send = (command: commands.Command): void => {
      const revision = Number(command.revision);
      if (done || revision <= lastRevision) return;
      lastRevision = revision;
      call.write({ command });
      if (FINAL_PROTO_STATES.has(command.state)) finish();
    };

    call.on('cancelled', () => {
      done = true;
      unsubscribe();
    });
    try {
      const id = requiredText(call.request.id, 'id').toLowerCase();
      unsubscribe = watchers.subscribe(id, { changed: send, closed: () => finish(unavailable('the sessions service is stopping: watch again')) });
      store.get(id).then(
        (stored) => (stored ? send(toProto(stored.command, stored.rev)) : finish(notFound(`unknown command ${id}`))),
        (error: unknown) => finish(error),
      );
    } catch (error) {
      finish(error);
    }
  };
}
