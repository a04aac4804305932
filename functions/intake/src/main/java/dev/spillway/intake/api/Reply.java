package dev.spillway.intake.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/**
 * An answer to {@code POST /v1/chat/completions} as the resource streams it: a status, headers and a body that is
 * either one JSON document or server-sent events written as they come. The resource returns one shape for both, so
 * a request decides by its {@code stream} field, not by an {@code Accept} header the SDKs do not send.
 */
record Reply(int status, Map<String, List<String>> headers, Multi<Buffer> body) {

    static final String EVENT_STREAM = "text/event-stream";

    /** A JAX-RS response with its entity written as JSON (or as the bytes it already is). */
    static Reply of(Response response, ObjectMapper json) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.getStringHeaders().forEach((name, values) -> headers.put(name, new ArrayList<>(values)));
        MediaType type = response.getMediaType();
        headers.put("Content-Type", List.of(type == null ? MediaType.APPLICATION_JSON : type.toString()));
        Object entity = response.getEntity();
        byte[] bytes;
        try {
            bytes = entity == null ? new byte[0] : entity instanceof byte[] raw ? raw : json.writeValueAsBytes(entity);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Reply(response.getStatus(), headers, Multi.createFrom().item(Buffer.buffer(bytes)));
    }

    /** The first value of a header, or null. */
    String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** 200 with server-sent events; {@code headers} are Spillway's own. */
    static Reply events(Map<String, String> headers, Multi<Buffer> events) {
        return events(200, headers, events);
    }

    static Reply events(int status, Map<String, String> headers, Multi<Buffer> events) {
        Map<String, List<String>> all = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (value != null) {
                all.put(name, List.of(value));
            }
        });
        all.put("Content-Type", List.of(EVENT_STREAM));
        all.put("Cache-Control", List.of("no-cache"));
        return new Reply(status, all, events);
    }
}
