import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { counter, durationHistogram, secondsSince } from '@voltmesh/telemetry';

const tracer = trace.getTracer('@voltmesh/partner-gateway');
const callDuration = durationHistogram('http_client_request_duration_seconds', 'Calls to partners, by partner, method and outcome (ok, error, timeout)');
const handshakeFailures = counter('partner_handshake_failures', 'Credentials handshakes with a partner that failed (either direction)');
const deliveryFailures = counter('partner_delivery_failures', 'Deliveries to a partner that failed (retried later or refused), by module');

/** The connection id when known; calls made before a connection exists (e.g. a handshake's first read) go under "none". */
const partnerLabel = (partner: string | undefined) => partner ?? 'none';

export interface PartnerCallLabels {
  /** The partner's connection id (absent before a connection exists). */
  partner?: string | undefined;
  /** The OCPI module called, when the caller knows it (`cdrs`, `locations`…). */
  module?: string | undefined;
  method: string;
  url: string;
}

/**
 * Runs one call to a partner in a CLIENT span named `<method> <module>` (host, module and the
 * partner's connection id; never the path, which can hold a token uid, nor the token or body)
 * and records its duration and outcome.
 */
export async function observePartnerCall<T>(labels: PartnerCallLabels, call: () => Promise<T>): Promise<T> {
  const { partner, module, method } = labels;
  const startedAt = performance.now();
  const host = URL.canParse(labels.url) ? new URL(labels.url).hostname : undefined;
  return tracer.startActiveSpan(
    module ? `${method} ${module}` : method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        ...(host ? { 'server.address': host } : {}),
        ...(module ? { 'ocpi.module': module } : {}),
        'voltmesh.partner.connection_id': partnerLabel(partner),
      },
    },
    async (span) => {
      let outcome: 'ok' | 'error' | 'timeout' = 'ok';
      try {
        return await call();
      } catch (error) {
        // PartnerCallError's failure, read structurally: partner-client imports this module.
        outcome = (error as { failure?: unknown } | undefined)?.failure === 'timeout' ? 'timeout' : 'error';
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
        callDuration.record(secondsSince(startedAt), { partner: partnerLabel(partner), 'http.request.method': method, outcome });
      }
    },
  );
}

export function countHandshakeFailure(partner: string): void {
  handshakeFailures.add(1, { partner });
}

export function countDeliveryFailure(partner: string, module: string): void {
  deliveryFailures.add(1, { partner, module });
}
