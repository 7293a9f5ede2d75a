import { monitorEventLoopDelay } from 'node:perf_hooks';
import { metrics, type BatchObservableResult } from '@opentelemetry/api';

/**
 * Node process metrics under their Prometheus names: CPU, resident memory, start time, heap
 * in use, and the event loop's p99 delay since the previous scrape (the best single sign of a
 * process too busy to answer in time).
 */
export function startProcessMetrics(): () => void {
  const meter = metrics.getMeter('voltmesh');
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const startSeconds = (Date.now() - performance.now()) / 1000;
  const cpu = meter.createObservableCounter('process_cpu_seconds', { description: 'User and system CPU time', unit: 's' });
  const rss = meter.createObservableGauge('process_resident_memory_bytes', { description: 'Resident set size', unit: 'By' });
  const start = meter.createObservableGauge('process_start_time_seconds', { description: 'Start time since the epoch', unit: 's' });
  const heap = meter.createObservableGauge('nodejs_heap_used_bytes', { description: 'V8 heap in use', unit: 'By' });
  const delay = meter.createObservableGauge('nodejs_eventloop_delay_p99_seconds', { description: 'Event loop delay, p99 since the last scrape', unit: 's' });
  const instruments = [cpu, rss, start, heap, delay];
  const observe = (result: BatchObservableResult): void => {
    const usage = process.cpuUsage();
    const memory = process.memoryUsage();
    result.observe(cpu, (usage.user + usage.system) / 1e6);
    result.observe(rss, memory.rss);
    result.observe(start, startSeconds);
    result.observe(heap, memory.heapUsed);
    // Before the first sample the histogram reports a huge minimum; report 0 then.
    result.observe(delay, loop.count > 0 ? loop.percentile(99) / 1e9 : 0);
    loop.reset();
  };
  meter.addBatchObservableCallback(observe, instruments);
  return () => {
    meter.removeBatchObservableCallback(observe, instruments);
    loop.disable();
  };
}
