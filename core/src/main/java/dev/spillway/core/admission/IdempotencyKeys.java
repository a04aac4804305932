package dev.spillway.core.admission;

import java.time.Duration;

import dev.spillway.core.Sha256;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.Caller;

/**
 * {@code Idempotency-Key} handling shared by every POST (chat completions, jobs, batches): one form check and one
 * namespace, records keyed {@code tenant#sha256(key)} in the idempotency table, so one key names one request
 * whichever endpoint received it.
 */
public final class IdempotencyKeys {

    private IdempotencyKeys() {
    }

    public static void check(String key) {
        if (key != null && (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw ApiException.invalid("Idempotency-Key", "invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 255 visible ASCII characters.");
        }
    }

    public static String id(Caller caller, String key) {
        return caller.tenant() + "#" + Sha256.hex(key);
    }

    public static ApiException reused() {
        return new ApiException(422, ApiException.INVALID_REQUEST, "idempotency_key_reused", "Idempotency-Key",
                "This Idempotency-Key was already used with a different request. Use a new key for a new request.",
                null);
    }

    public static ApiException stillInUse() {
        return new ApiException(409, ApiException.CONFLICT, "idempotency_key_in_use", "Idempotency-Key",
                "The request first sent with this Idempotency-Key is still being accepted; retry shortly.",
                Duration.ofSeconds(1));
    }
}
