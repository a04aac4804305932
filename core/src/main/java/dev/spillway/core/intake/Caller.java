package dev.spillway.core.intake;

/** Who is calling: the tenant their jobs and cache entries belong to. */
public record Caller(String tenant) {
}
