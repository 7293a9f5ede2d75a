/** A partner's OCPI calls to our gateway, with a long deadline so our own answer time is measured. */
export interface OcpiAnswer {
  /** HTTP status, or 0 when no answer came (connection refused, reset, our deadline). */
  http: number;
  /** OCPI status_code of the envelope, when there was one. */
  status?: number;
  message?: string;
  data?: unknown;
  headers?: Headers;
  error?: string;
  ms: number;
}

export async function ocpiCall(token: string, method: string, url: string, body?: unknown, timeoutMs = 60_000): Promise<OcpiAnswer> {
  const started = Date.now();
  try {
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Token ${Buffer.from(token, 'utf8').toString('base64')}`,
        'x-request-id': crypto.randomUUID(),
        'x-correlation-id': crypto.randomUUID(),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let envelope: { status_code?: number; status_message?: string; data?: unknown } | undefined;
    try {
      envelope = text ? (JSON.parse(text) as typeof envelope) : undefined;
    } catch {
      envelope = undefined;
    }
    return {
      http: response.status,
      ...(typeof envelope?.status_code === 'number' ? { status: envelope.status_code } : {}),
      ...(envelope?.status_message ? { message: envelope.status_message } : {}),
      ...(envelope?.data !== undefined ? { data: envelope.data } : {}),
      headers: response.headers,
      ms: Date.now() - started,
    };
  } catch (error) {
    return { http: 0, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), ms: Date.now() - started };
  }
}
