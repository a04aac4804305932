package dev.spillway.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The {@code id:} of a relayed event, which a client sends back as {@code Last-Event-ID}. */
class EventIdTest {

    @Test
    void anEntrysId_namesItsAttemptAndEntry_andParsesBack() {
        EventId id = EventId.of(new StreamEntry("1733380000000-3", 2, StreamEntry.Kind.CHUNK, "{}"));

        assertThat(id.toString()).isEqualTo("2.1733380000000-3");
        assertThat(EventId.parse(id.toString())).contains(id);
        assertThat(id.entryId()).isEqualTo("1733380000000-3");
    }

    @Test
    void whatIsNotAnIdWeGaveOut_isRefused() {
        assertThat(EventId.parse(null)).isEmpty();
        assertThat(EventId.parse("")).isEmpty();
        assertThat(EventId.parse("1733380000000-3")).as("no attempt").isEmpty();
        assertThat(EventId.parse("0.1-0")).as("attempts start at 1").isEmpty();
        assertThat(EventId.parse("1.1-0; DROP")).isEmpty();
        assertThat(EventId.parse("1.99999999999999999999-0")).as("beyond a long").isEmpty();
    }
}
