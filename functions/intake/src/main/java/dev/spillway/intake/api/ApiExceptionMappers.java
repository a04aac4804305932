package dev.spillway.intake.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.metrics.SpillwayMetrics;

/** Every error leaves in the OpenAI error shape, whichever layer raised it. */
public class ApiExceptionMappers {

    private static final Logger LOG = Logger.getLogger(ApiExceptionMappers.class);

    private final SpillwayMetrics metrics;

    public ApiExceptionMappers(SpillwayMetrics metrics) {
        this.metrics = metrics;
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        metrics.refused(e.status(), e.toBody().error().code());
        return Responses.error(e).build();
    }

    /** Routing and protocol errors of the framework itself: unknown path, wrong method, unreadable body. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String code = switch (status) {
            case 404 -> "unknown_url";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "request_too_large";
            case 415 -> "unsupported_media_type";
            default -> "invalid_request";
        };
        String message = switch (status) {
            case 404 -> "Unknown request URL. See the API reference for the endpoints Spillway serves.";
            case 405 -> "This endpoint does not support that HTTP method.";
            default -> e.getMessage() == null ? "The request could not be processed." : e.getMessage();
        };
        if (status >= 500) {
            LOG.error("request failed", e);
            return Responses.error(new ApiException(status, ApiException.SERVER_ERROR, "internal_error", null,
                    "The server had an error while processing your request.", null)).build();
        }
        return Responses.error(new ApiException(status, ApiException.INVALID_REQUEST, code, null, message, null))
                .build();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("request failed", e);
        return Responses.error(new ApiException(500, ApiException.SERVER_ERROR, "internal_error", null,
                "The server had an error while processing your request.", null)).build();
    }
}
