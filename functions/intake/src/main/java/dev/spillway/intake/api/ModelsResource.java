package dev.spillway.intake.api;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.auth.Authenticator;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.config.ModelsConfig;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * {@code GET /v1/models}: the models configured for this deployment, each with the endpoints its fleet engine serves
 * ({@code endpoints}, Spillway's addition to OpenAI's model object).
 */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    /** The model names clients may send; the configuration is fixed for the life of the process. */
    private final Set<String> served;
    private final Map<String, List<String>> endpoints = new HashMap<>();
    private final Authenticator authenticator;

    public ModelsResource(ModelsConfig models, Authenticator authenticator) {
        this.served = new TreeSet<>(models.served().keySet());
        models.served().forEach((name, model) -> endpoints.put(name, Arrays.stream(RequestKind.values())
                .filter(model::serves).map(RequestKind::path).toList()));
        this.authenticator = authenticator;
    }

    @GET
    public ModelList list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Caller caller = authenticator.authenticate(authorization);
        return new ModelList("list", modelNames(caller).stream().map(this::model).toList());
    }

    @GET
    @Path("/{model}")
    public Model get(@PathParam("model") String model, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Caller caller = authenticator.authenticate(authorization);
        if (!modelNames(caller).contains(model)) {
            throw ApiException.notFound("model_not_found", "The model `" + model + "` does not exist.");
        }
        return model(model);
    }

    private Model model(String id) {
        return new Model(id, "model", 0, "spillway", endpoints.get(id));
    }

    /** The served models this caller may use, in name order. */
    private List<String> modelNames(Caller caller) {
        return served.stream().filter(caller::allows).toList();
    }

    @RegisterForReflection
    public record ModelList(String object, List<Model> data) {
    }

    @RegisterForReflection
    public record Model(String id, String object, long created, String owned_by, List<String> endpoints) {
    }
}
