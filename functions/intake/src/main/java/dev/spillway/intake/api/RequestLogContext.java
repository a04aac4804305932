package dev.spillway.intake.api;

import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Starts every request with a clean log context; the intake then adds the tenant and the job it handles. */
public class RequestLogContext {

    @ServerRequestFilter
    public void clear() {
        MDC.remove("tenant");
        MDC.remove("jobId");
    }
}
