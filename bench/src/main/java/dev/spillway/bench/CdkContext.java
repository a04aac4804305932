package dev.spillway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The CDK app's context as {@code cdk synth} would see it: {@code cdk.json}'s {@code context} object, then
 * {@code -c}-style overrides. The planner reads its settings from here so it plans what would be deployed.
 */
final class CdkContext {

    private CdkContext() {
    }

    /** @param overrides values given on the planner's command line, as {@code -c key=value} would give them */
    static Map<String, Object> read(Path cdkJson, Map<String, String> overrides) throws IOException {
        Map<String, Object> context = new LinkedHashMap<>();
        if (Files.isRegularFile(cdkJson)) {
            JsonNode node = new ObjectMapper().readTree(cdkJson.toFile()).path("context");
            if (!node.isMissingNode()) {
                context.putAll(new ObjectMapper().convertValue(node, new TypeReference<Map<String, Object>>() { }));
            }
        }
        context.putAll(overrides);
        return context;
    }
}
