package dev.spillway.intake.api;

import java.util.Locale;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.Authenticator;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.batch.BatchListView;
import dev.spillway.core.batch.BatchService;
import dev.spillway.core.batch.BatchView;

/** The OpenAI Batch API with the requests sent inline: create, read, list, cancel. */
@Path("/v1/batches")
@Produces(MediaType.APPLICATION_JSON)
public class BatchesResource {

    private final BatchService batches;
    private final Authenticator authenticator;

    public BatchesResource(BatchService batches, Authenticator authenticator) {
        this.batches = batches;
        this.authenticator = authenticator;
    }

    /**
     * A JSON object {@code {"requests":[...], ...}}, or JSON Lines of batch request lines when sent as
     * {@code application/jsonl} or {@code application/x-ndjson}. {@code Spillway-Callback-Url} asks for the batch
     * object to be POSTed there once the batch is final (checked now; a refused URL is a 400 and nothing is stored).
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(byte[] body, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(SpillwayHeaders.IDEMPOTENCY_KEY) String idempotencyKey,
            @HeaderParam(SpillwayHeaders.CALLBACK_URL) String callbackUrl) {
        Caller caller = authenticator.authenticate(authorization);
        BatchService.Creation creation = batches.create(caller, body, isJsonLines(contentType), idempotencyKey,
                callbackUrl, SpillwayHeaders.CALLBACK_URL);
        return Response.ok(BatchView.of(creation.batch()))
                .header(SpillwayHeaders.IDEMPOTENT_REPLAYED, creation.replayed() ? "true" : null)
                .build();
    }

    @GET
    public BatchListView list(@QueryParam("after") String after, @QueryParam("limit") String limit,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Caller caller = authenticator.authenticate(authorization);
        return BatchListView.of(batches.list(caller, after, parseLimit(limit)));
    }

    @GET
    @Path("/{id}")
    public BatchView get(@PathParam("id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return BatchView.of(batches.find(authenticator.authenticate(authorization), id));
    }

    @POST
    @Path("/{id}/cancel")
    @Consumes(MediaType.WILDCARD)
    public BatchView cancel(@PathParam("id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(SpillwayHeaders.IDEMPOTENCY_KEY) String idempotencyKey) {
        return BatchView.of(batches.cancel(authenticator.authenticate(authorization), id, idempotencyKey));
    }

    private static boolean isJsonLines(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT).split(";")[0].strip();
        if (type.equals("application/jsonl") || type.equals("application/x-ndjson")
                || type.equals("application/jsonlines")) {
            return true;
        }
        if (type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/x-www-form-urlencoded")) {
            // curl -d sends form-urlencoded by default; the body is still parsed, strictly, as JSON.
            return false;
        }
        throw new ApiException(415, ApiException.INVALID_REQUEST, "unsupported_media_type", null, "Unsupported "
                + "Content-Type '" + contentType + "': send application/json, or application/jsonl for JSON Lines.",
                null);
    }

    private static Integer parseLimit(String limit) {
        if (limit == null || limit.isEmpty()) {
            return null;
        }
        if (limit.length() > 4 || !limit.chars().allMatch(Character::isDigit)) {
            throw ApiException.invalid("limit", "'limit' must be a whole number between 1 and 100.");
        }
        return Integer.parseInt(limit);
    }
}
