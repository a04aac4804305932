package dev.spillway.intake.direct;

import dev.spillway.core.api.ChatCompletion;

/** A completion the direct lane got from an upstream target, named as in {@code spillway.upstreams.<target>}. */
public record DirectAnswer(String target, ChatCompletion completion) {
}
