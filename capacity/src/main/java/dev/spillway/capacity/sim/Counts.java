package dev.spillway.capacity.sim;

/**
 * What became of the requests.
 *
 * @param arrivals       requests that reached the API
 * @param throttled      refused because the intake was at its concurrency limit (API Gateway's 429/502: "busy" one
 *                       layer up)
 * @param cacheHits      answered from the cache
 * @param direct         answered by the direct lane
 * @param upstream429    direct calls the upstream refused with 429 (they spilled)
 * @param spilled        jobs queued
 * @param heldAnswered   spilled, held open and answered with the result
 * @param heldThen202    held open until the budget ran out, then 202 (the estimate was too hopeful)
 * @param answered202    answered 202 at once (estimate past the budget, or batch tier)
 * @param expired        jobs that waited past their deadline
 * @param released       runs cut short by a scale-in and queued again
 * @param unfinished     jobs queued or running when the simulation ended
 * @param polls          {@code GET /v1/jobs/{id}} calls of clients that got a 202, each a function invocation
 */
public record Counts(long arrivals, long throttled, long cacheHits, long direct, long upstream429, long spilled,
                     long heldAnswered, long heldThen202, long answered202, long expired, long released,
                     long unfinished, long polls) {
}
