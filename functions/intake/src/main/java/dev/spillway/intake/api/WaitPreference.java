package dev.spillway.intake.api;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The wait a client asks for in {@code Prefer} (RFC 7240): {@code wait=N} seconds, or {@code respond-async}
 * for none. Invalid preferences are ignored, as the RFC requires.
 */
final class WaitPreference {

    private WaitPreference() {
    }

    static Optional<Duration> parse(String prefer) {
        if (prefer == null) {
            return Optional.empty();
        }
        Optional<Duration> wait = Optional.empty();
        for (String preference : prefer.split(",")) {
            String token = preference.strip().toLowerCase(Locale.ROOT);
            int params = token.indexOf(';');
            if (params >= 0) {
                token = token.substring(0, params).strip();
            }
            if (token.equals("respond-async")) {
                return Optional.of(Duration.ZERO);
            }
            if (token.startsWith("wait=")) {
                wait = seconds(token.substring(5).strip().replace("\"", "")).or(() -> Optional.empty());
            }
        }
        return wait;
    }

    private static Optional<Duration> seconds(String value) {
        if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
    }
}
