package dev.spillway.backend.batching;

/**
 * What an inference server reports about its own load (vLLM's Prometheus gauges).
 *
 * @param waiting      requests queued in the server, not yet scheduled ({@code vllm:num_requests_waiting})
 * @param running      requests being decoded ({@code vllm:num_requests_running})
 * @param kvCacheUsage fraction of the KV cache in use, 0-1 ({@code vllm:kv_cache_usage_perc})
 */
public record ServerLoad(double waiting, double running, double kvCacheUsage) {
}
