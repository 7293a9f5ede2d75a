import { MESH_PROCESSES } from '@voltmesh/testing';
import type { ChaosReport } from './scenario.js';

/** What fails a chaos run, in words; empty when every check passed. */
export function verdicts(report: ChaosReport, options: { failOnMemoryTrend: boolean }): string[] {
  const failed: string[] = [];
  const w = report.writes;
  if (w.pending > 0) failed.push(`${w.pending} partner writes never acknowledged`);
  if (w.found !== w.acknowledged) failed.push(`acknowledged ${w.acknowledged} partner writes, found ${w.found}: ${w.problems.slice(0, 5).join('; ')}`);
  if (report.ourCdrs.delivered !== report.ourCdrs.ours) failed.push(`${report.ourCdrs.ours - report.ourCdrs.delivered} of our CDRs never reached the eMSP`);
  if (report.ourCdrs.duplicatesAfterAck > 0) failed.push(`${report.ourCdrs.duplicatesAfterAck} CDR POSTs after the eMSP had acknowledged the CDR`);
  if (report.ourCdrs.problems.length > 0) failed.push(...report.ourCdrs.problems.slice(0, 5));
  for (const [name, list] of Object.entries(report.views.mismatches)) if (list.length > 0) failed.push(`${name}: ${list.length} EVSE statuses differ from ours (${list.slice(0, 3).join('; ')})`);
  if (report.lag.lagging.length > 0) failed.push(`consumer groups still lagging: ${report.lag.lagging.map((entry) => `${entry.group}/${entry.topic} ${entry.lag}`).join(', ')}`);
  for (const convergence of report.convergences) if (!convergence.converged) failed.push(`no convergence after ${convergence.after}: ${convergence.problems.slice(0, 3).join('; ')}`);
  for (const probe of report.kafkaDown) {
    const status = probe.answer.status;
    if (status === undefined || status < 3000 || status >= 4000) failed.push(`while Kafka was down, ${probe.write} was answered HTTP ${probe.answer.http} OCPI ${status ?? '-'} after ${probe.answer.ms} ms (${probe.answer.message ?? probe.answer.error ?? ''}), not 3xxx`);
  }
  if (report.kafkaDownAcknowledged > 0) failed.push(`${report.kafkaDownAcknowledged} writes acknowledged with 1000 while Kafka was down`);
  // Our processes only: Kafka's JVM heap and FerretDB's page cache follow the data volume by design.
  const ours = new Set(MESH_PROCESSES.map((process) => process.name as string));
  if (options.failOnMemoryTrend) for (const process of report.memory.filter((candidate) => candidate.growing && ours.has(candidate.name))) failed.push(`${process.name}: memory grows ${process.slopeMiBPerMin} MiB/min`);
  return failed;
}
