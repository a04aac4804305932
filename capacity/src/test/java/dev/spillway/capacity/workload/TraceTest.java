package dev.spillway.capacity.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TraceTest {

    @Test
    void trace_withHeaderCommentsAndBlankLines_givesItsRequestsInOrder() throws IOException {
        String csv = """
                # recorded on the staging API
                arrival_seconds,model,tier,prompt_tokens,output_tokens

                0,deepseek-chat,interactive,120,300
                0.5,deepseek-reasoner,batch,800,2000
                2.25,deepseek-chat,STANDARD,40,10
                """;

        Trace trace = Trace.parse("staging.csv", new StringReader(csv));

        List<Request> requests = new ArrayList<>();
        trace.requests().forEachRemaining(requests::add);
        assertThat(requests).containsExactly(
                new Request(0, "deepseek-chat", Tier.INTERACTIVE, 120, 300),
                new Request(0.5, "deepseek-reasoner", Tier.BATCH, 800, 2000),
                new Request(2.25, "deepseek-chat", Tier.STANDARD, 40, 10));
        assertThat(trace.name()).isEqualTo("staging.csv");
        assertThat(trace.duration()).isEqualTo(2.25);
        assertThat(trace.phases()).singleElement().satisfies(phase -> assertThat(phase.contains(2.25)).isTrue());
    }

    @Test
    void traceWithoutHeader_isRead() throws IOException {
        Trace trace = Trace.parse("bare.csv", new StringReader("1.5,m,batch,1,2\n"));

        assertThat(trace.size()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0,m,interactive,1                |line 2: expected 5 fields",
            "0,m,gold,1,1                     |line 2: tier 'gold' is not one of interactive, standard, batch",
            "soon,m,batch,1,1                 |line 2: arrival_seconds must be a number of seconds, got 'soon'",
            "-3,m,batch,1,1                   |line 2: arrival_seconds must be zero or more, got '-3'",
            "0,m,batch,-1,1                   |line 2: prompt_tokens must be a whole number, zero or more, got '-1'",
            "0,m,batch,1,2.5                  |line 2: output_tokens must be a whole number, zero or more, got '2.5'",
            "0, ,batch,1,1                    |line 2: model is empty"})
    void badLine_isRefusedWithItsNumberAndTheReason(final String line, final String message) {
        String csv = "arrival_seconds,model,tier,prompt_tokens,output_tokens\n" + line.strip() + "\n";

        assertThatThrownBy(() -> Trace.parse("bad.csv", new StringReader(csv)))
                .isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("bad.csv " + message.strip());
    }

    @Test
    void unsortedTrace_isRefusedRatherThanReordered() {
        String csv = "5,m,batch,1,1\n4,m,batch,1,1\n";

        assertThatThrownBy(() -> Trace.parse("late.csv", new StringReader(csv)))
                .hasMessage("late.csv line 2: arrival 4.0 s is earlier than the line before (5.0 s): sort the trace "
                        + "by arrival");
    }

    @Test
    void wrongHeader_andEmptyTrace_areRefused() {
        assertThatThrownBy(() -> Trace.parse("h.csv", new StringReader("arrival_seconds,tier,model,p,o\n")))
                .hasMessageStartingWith("h.csv line 1: the header must be 'arrival_seconds,model,tier,prompt_tokens,"
                        + "output_tokens'");
        assertThatThrownBy(() -> Trace.parse("e.csv", new StringReader("# nothing\n")))
                .hasMessageStartingWith("e.csv line 1: no requests");
    }
}
