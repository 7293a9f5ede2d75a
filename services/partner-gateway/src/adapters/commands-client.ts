import { credentials } from '@grpc/grpc-js';
import { internal } from '@voltmesh/errors';
import { callUnary, observedClient } from '@voltmesh/grpc';
import { commandResponseSchema, parseJsonField, type CommandResponse } from '@voltmesh/ocpi';
import { commandService } from '@voltmesh/proto';

/** The gateway's calls to the sessions service's CommandService, with a deadline on every call. */
export class CommandsClient {
  private readonly client: commandService.CommandServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new commandService.CommandServiceClient(address, credentials.createInsecure(), observedClient);
  }

  /** Hands a partner eMSP's command to our CPO; answers the CommandResponse once it is stored. */
  async receive(request: commandService.ReceivePartnerCommandRequest): Promise<CommandResponse> {
    const reply = await callUnary<commandService.ReceivePartnerCommandRequest, commandService.ReceivePartnerCommandResponse>(
      this.client.receivePartnerCommand.bind(this.client),
      request,
      this.deadlineMs,
    );
    return parseJsonField(commandResponseSchema, reply.commandResponseJson, 'sessions service CommandResponse', internal);
  }

  close(): void {
    this.client.close();
  }
}
