export { readConsumerLag, readDeadLetters } from './consumer-lag.js';
export type { GroupLag } from './consumer-lag.js';
export { sampleMemory, hasGrowthTrend } from './memory.js';
export type { MemorySummary } from './memory.js';
export { killHard, kafkaPidFile, ferretPidFile, meshPidFile, residentBytes } from '../infra/faults.js';
