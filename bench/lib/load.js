import autocannon from 'autocannon';

/**
 * One autocannon run against 127.0.0.1:`port`, bounded by `durationS` seconds or by `amount`
 * requests. Resolves to the mean requests per second and the counts that make a run invalid
 * (connection errors, timeouts, non-2xx answers), which the caller must check.
 *
 * autocannon notices that a run is over at its next sample, every `sampleIntervalMs`: a short
 * run (a smoke test's) wants a short interval, or each run lasts at least a second.
 *
 * @param {{ port: number, requests: object[], connections?: number, durationS?: number, amount?: number, sampleIntervalMs?: number }} options
 */
export async function load({
  port,
  requests,
  connections = 10,
  durationS = 5,
  amount,
  sampleIntervalMs = 1000,
}) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: durationS,
    amount,
    requests,
    timeout: 10,
    sampleInt: sampleIntervalMs,
  });
  const total = result.requests.total;
  return {
    total,
    requestsPerSecond: total / result.duration,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Throws when a run saw errors: its figure would measure failures, not the app. */
export function assertClean(run, label) {
  if (run.errors > 0 || run.timeouts > 0 || run.non2xx > 0) {
    throw new Error(
      `${label}: ${run.errors} errors, ${run.timeouts} timeouts, ${run.non2xx} non-2xx answers`,
    );
  }
}
