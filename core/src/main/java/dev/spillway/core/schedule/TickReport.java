package dev.spillway.core.schedule;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What one scheduler tick did: each task's outcome by name, {@code ok} or {@code failed: <reason>}.
 */
@RegisterForReflection
public record TickReport(Instant at, Map<String, String> outcomes) {

    public static final String OK = "ok";

    /** Names of the tasks that failed, in run order. */
    public List<String> failed() {
        return outcomes.entrySet().stream().filter(e -> !OK.equals(e.getValue())).map(Map.Entry::getKey).toList();
    }
}
