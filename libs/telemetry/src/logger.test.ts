import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { createLogger } from './logger.js';
import { startTelemetry } from './sdk.js';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, stream };
}

test('logs are JSON with the active trace id, and tokens are redacted', async () => {
  const telemetry = startTelemetry({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' });
  try {
    const { lines, stream } = capture();
    const logger = createLogger('unit', 'info', stream);
    logger.info({ token: 'secret-1', headers: { authorization: 'Token c2VjcmV0' }, contract_id: 'NL-ABC-123' }, 'outside a span');
    trace.getTracer('unit').startActiveSpan('work', (active) => {
      logger.info('inside a span');
      active.end();
    });

    assert.equal(lines.length, 2);
    const [outside, inside] = lines;
    assert.equal(outside?.['service'], 'unit');
    assert.equal(outside?.['level'], 'info');
    assert.equal(outside?.['trace_id'], undefined);
    assert.equal(outside?.['token'], '[redacted]');
    assert.equal(outside?.['contract_id'], '[redacted]');
    assert.equal((outside?.['headers'] as Record<string, string>)['authorization'], '[redacted]');
    assert.match(String(inside?.['trace_id']), /^[0-9a-f]{32}$/);
    assert.notEqual(inside?.['trace_id'], '0'.repeat(32), 'a real tracer runs even with exporters off');
    assert.match(String(inside?.['span_id']), /^[0-9a-f]{16}$/);
  } finally {
    await telemetry.shutdown();
  }
});
