package dev.spillway.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Splitting an event stream fed in arbitrary pieces, as a server's bytes arrive. */
class ServerSentEventsTest {

    @Test
    void eventsSplitAcrossPieces_comeOutWhole_commentsSkipped_crlfAccepted() {
        String stream = ": keep-alive\n\ndata: {\"a\":\"é\"}\r\n\r\ndata: line one\ndata: line two\n\ndata: [DONE]\n\n";
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        ServerSentEvents events = new ServerSentEvents();
        List<String> data = new ArrayList<>();

        for (int i = 0; i < bytes.length; i += 3) { // pieces that cut lines and characters
            byte[] piece = new byte[Math.min(3, bytes.length - i)];
            System.arraycopy(bytes, i, piece, 0, piece.length);
            data.addAll(events.feed(piece));
        }

        assertThat(data).containsExactly("{\"a\":\"é\"}", "line one\nline two", "[DONE]");
    }

    @Test
    void anUnfinishedEvent_staysPending() {
        ServerSentEvents events = new ServerSentEvents();

        assertThat(events.feed("data: half".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(events.feed("\n\n".getBytes(StandardCharsets.UTF_8))).containsExactly("half");
    }
}
