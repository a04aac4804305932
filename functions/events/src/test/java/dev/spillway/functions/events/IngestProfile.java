package dev.spillway.functions.events;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The function as the ingest Lambda runs it. */
public class IngestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.lambda.handler", "ingest");
    }
}
