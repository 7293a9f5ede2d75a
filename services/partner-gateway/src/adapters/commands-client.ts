import { credentials } from '@grpc/grpc-js';
import { AppError } from '@voltmesh/errors';
import { callUnary } from '@voltmesh/grpc';
import { commandResponseSchema, zodErrorMessage, type CommandResponse } from '@voltmesh/ocpi';
import { commandService } from '@voltmesh/proto';
import { parseJson } from './tokens-client.js';

/** The gateway's calls to the sessions service's CommandService, with a deadline on every call. */
export class CommandsClient {
  private readonly client: commandService.CommandServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new commandService.CommandServiceClient(address, credentials.createInsecure());
  }

  /** Hands a partner eMSP's command to our CPO; answers the CommandResponse once it is stored. */
  async receive(request: commandService.ReceivePartnerCommandRequest): Promise<CommandResponse> {
    const reply = await callUnary<commandService.ReceivePartnerCommandRequest, commandService.ReceivePartnerCommandResponse>(
      this.client.receivePartnerCommand.bind(this.client),
      request,
      this.deadlineMs,
    );
    const parsed = commandResponseSchema.safeParse(parseJson(reply.commandResponseJson, 'CommandResponse'));
    if (!parsed.success) throw new AppError('INTERNAL', `sessions service answered an invalid CommandResponse: ${zodErrorMessage(parsed.error)}`);
    return parsed.data;
  }

  close(): void {
    this.client.close();
  }
}
