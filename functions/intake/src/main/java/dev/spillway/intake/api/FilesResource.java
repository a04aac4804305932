package dev.spillway.intake.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import dev.spillway.core.auth.Authenticator;
import dev.spillway.core.batch.BatchService;

/** {@code GET /v1/files/{id}/content}: a batch's output or error file, as JSON Lines. */
@Path("/v1/files")
public class FilesResource {

    static final String JSON_LINES = "application/jsonl";

    private final BatchService batches;
    private final Authenticator authenticator;

    public FilesResource(BatchService batches, Authenticator authenticator) {
        this.batches = batches;
        this.authenticator = authenticator;
    }

    @GET
    @Path("/{id}/content")
    public Response content(@PathParam("id") String id,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        BatchService.ResultFile file = batches.file(authenticator.authenticate(authorization), id);
        StreamingOutput lines = out -> batches.write(file, out);
        return Response.ok(lines, JSON_LINES).build();
    }
}
