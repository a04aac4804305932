package dev.spillway.core.upstream;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a server-sent event stream, fed as its bytes arrive, into the data of each complete event (comments and
 * events without data are skipped). Not safe for concurrent use.
 */
public final class ServerSentEvents {

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean afterNewline;

    /** The data of every event completed by {@code bytes}, multi-line data joined with {@code \n}. */
    public List<String> feed(byte[] bytes) {
        List<String> data = new ArrayList<>();
        for (byte b : bytes) {
            if (b == '\r') {
                continue; // lines may end with CRLF; an event ends at an empty line either way
            }
            if (b == '\n' && afterNewline) {
                String payload = dataOf(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
                afterNewline = false;
                if (payload != null) {
                    data.add(payload);
                }
                continue;
            }
            pending.write(b);
            afterNewline = b == '\n';
        }
        return data;
    }

    private static String dataOf(String event) {
        StringBuilder data = null;
        for (String line : event.split("\n", -1)) {
            if (line.startsWith("data:")) {
                String value = line.startsWith("data: ") ? line.substring(6) : line.substring(5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        return data == null ? null : data.toString();
    }
}
