import type { Logger } from '@voltmesh/telemetry';
import { mapReported } from '../../edge/loss-report.js';
import type { Mapped } from '../../edge/mapped.js';
import type { PushJob } from '../push/index.js';
import type { PushTarget } from './push-targets.js';

/**
 * A push for the target's OCPI version. 2.2.1 targets get the job as built. For a 2.1.1
 * target the body goes through the 2.1.1 mapper (losses reported), without routing headers
 * (2.1.1 has none) and without an append list (a 2.1.1 PATCH replaces lists, so every state is
 * sent whole). An object 2.1.1 cannot express is not sent (reported); `instead` may name
 * another push for that case (a tariff the partner can no longer price is deleted there).
 */
export function pushForVersion(
  job: PushJob,
  target: PushTarget,
  map211: () => Mapped<unknown>,
  logger: Logger,
  instead?: (job: PushJob) => PushJob,
): PushJob | undefined {
  if (target.version !== '2.1.1') return job;
  const rest: PushJob = { ...job };
  delete rest.routing;
  delete rest.appendList;
  const context = { partner: job.partnerId, module: job.objectKey.split(':', 1)[0] ?? 'unknown', direction: 'outbound' as const, objectId: job.objectKey };
  const mapped = mapReported(logger, context, map211);
  return 'refused' in mapped ? instead?.(rest) : { ...rest, body: mapped.value };
}

/** The job's body as it is (a body both versions share, e.g. an EVSE status PATCH). */
export const sameBody = (job: PushJob) => (): Mapped<unknown> => ({ value: job.body, losses: [] });
