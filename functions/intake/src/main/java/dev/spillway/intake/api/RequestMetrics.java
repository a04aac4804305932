package dev.spillway.intake.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.spillway.core.metrics.EmbeddedMetrics;

/**
 * One Embedded Metric Format event per answered request: lane, cache outcome, status class and latency. Streamed
 * replies ({@code POST /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings}) bypass response
 * filters; that resource writes its own line.
 */
public class RequestMetrics {

    private static final String STARTED = RequestMetrics.class.getName() + ".started";

    private final EmbeddedMetrics metrics;

    public RequestMetrics(EmbeddedMetrics metrics) {
        this.metrics = metrics;
    }

    @ServerRequestFilter
    public void start(ContainerRequestContext request) {
        request.setProperty(STARTED, System.nanoTime());
    }

    @ServerResponseFilter
    public void record(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(STARTED) instanceof Long started) {
            metrics.request(response.getHeaderString(SpillwayHeaders.LANE),
                    response.getHeaderString(SpillwayHeaders.CACHE), response.getStatus(),
                    (System.nanoTime() - started) / 1e6);
        }
    }
}
