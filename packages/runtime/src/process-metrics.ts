/**
 * This process's own CPU time and resident memory for /metrics, under Prometheus' standard process
 * metric names: user + system CPU seconds since the process started (process.cpuUsage()), and the
 * resident set size in bytes (process.memoryUsage().rss). The benchmark reads them per service.
 */
export function processMetrics(): {
  process_cpu_seconds_total: number;
  process_resident_memory_bytes: number;
} {
  const cpu = process.cpuUsage();
  return {
    process_cpu_seconds_total: (cpu.user + cpu.system) / 1e6,
    process_resident_memory_bytes: process.memoryUsage.rss(),
  };
}
