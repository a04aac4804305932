package dev.spillway.functions.events;

import java.util.Map;
import java.util.Set;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The events app as the batch-files Lambda function, reading inputs in chunks of 100 lines, on a movable clock. */
public class BatchFilesProfile implements QuarkusTestProfile {

    static final int CHUNK = 100;

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(TestClock.Producer.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        // A 20,000-line file takes longer than REST Assured's default 30 s on a busy machine.
        return Map.of("quarkus.lambda.handler", "batch-files", "spillway.files.chunk-size", Integer.toString(CHUNK),
                "quarkus.http.test-timeout", "PT5M");
    }
}
