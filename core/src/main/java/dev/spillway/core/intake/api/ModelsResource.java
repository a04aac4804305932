package dev.spillway.core.intake.api;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.Authenticator;
import dev.spillway.core.intake.Caller;
import dev.spillway.core.intake.IntakeService;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@code GET /v1/models}: the models configured for this deployment. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@IfBuildProperty(name = "spillway.intake.enabled", stringValue = "true")
public class ModelsResource {

    private final IntakeService intake;
    private final Authenticator authenticator;

    public ModelsResource(IntakeService intake, Authenticator authenticator) {
        this.intake = intake;
        this.authenticator = authenticator;
    }

    @GET
    public ModelList list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Caller caller = authenticator.authenticate(authorization);
        return new ModelList("list", intake.modelNames(caller).stream().map(Model::of).toList());
    }

    @GET
    @Path("/{model}")
    public Model get(@PathParam("model") String model, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Caller caller = authenticator.authenticate(authorization);
        if (!intake.modelNames(caller).contains(model)) {
            throw ApiException.notFound("model_not_found", "The model `" + model + "` does not exist.");
        }
        return Model.of(model);
    }

    @RegisterForReflection
    public record ModelList(String object, List<Model> data) {
    }

    @RegisterForReflection
    public record Model(String id, String object, long created, String owned_by) {

        static Model of(String id) {
            return new Model(id, "model", 0, "spillway");
        }
    }
}
