package dev.spillway.intake.api;

import java.util.Locale;

import dev.spillway.core.api.ApiException;

/** Bodies are JSON: a missing Content-Type is tolerated (curl -d), any other declared type is refused. */
final class JsonBodies {

    private JsonBodies() {
    }

    static void requireJson(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return;
        }
        String type = contentType.toLowerCase(Locale.ROOT).split(";")[0].strip();
        if (type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/x-www-form-urlencoded")) {
            // curl -d sends form-urlencoded by default; the body is still parsed, strictly, as JSON.
            return;
        }
        throw new ApiException(415, ApiException.INVALID_REQUEST, "unsupported_media_type", null,
                "Unsupported Content-Type '" + contentType + "': send application/json.", null);
    }
}
