package dev.spillway.core.batch.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LineReaderTest {

    private static List<LineReader.Line> read(InputStream in, int max) throws IOException {
        LineReader reader = new LineReader(in, max);
        List<LineReader.Line> lines = new ArrayList<>();
        for (LineReader.Line line = reader.next(); line != null; line = reader.next()) {
            lines.add(line);
        }
        return lines;
    }

    private static String text(LineReader.Line line) {
        return new String(line.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void lines_areNumberedFromOne_withoutTerminatorsOrByteOrderMark() throws IOException {
        byte[] file = ("\uFEFFfirst\r\n\n  \nlast-without-newline").getBytes(StandardCharsets.UTF_8);

        List<LineReader.Line> lines = read(new ByteArrayInputStream(file), 100);

        assertThat(lines).extracting(LineReader.Line::number).containsExactly(1L, 2L, 3L, 4L);
        assertThat(lines).extracting(LineReaderTest::text).containsExactly("first", "", "  ", "last-without-newline");
        assertThat(lines).extracting(LineReader.Line::isBlank).containsExactly(false, true, true, false);
    }

    @Test
    void tooLongLine_isSkippedToItsEnd_andTheNextLineIsIntact() throws IOException {
        byte[] file = ("x".repeat(1000) + "\nshort\n").getBytes(StandardCharsets.UTF_8);

        List<LineReader.Line> lines = read(new ByteArrayInputStream(file), 10);

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).tooLong()).isTrue();
        assertThat(lines.get(0).isBlank()).isFalse();
        assertThat(text(lines.get(1))).isEqualTo("short");
        assertThat(lines.get(1).number()).isEqualTo(2);
    }

    @Test
    void aHugeStream_isReadWithoutEverHoldingMoreThanALine() throws IOException {
        // 100 MB of 100-byte lines, generated as it is read: only a line and a buffer are ever held.
        long total = 100L * 1024 * 1024;
        InputStream generated = new InputStream() {
            private long position;

            @Override
            public int read() {
                if (position == total) {
                    return -1;
                }
                return position++ % 100 == 99 ? '\n' : 'a';
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (position == total) {
                    return -1;
                }
                int n = (int) Math.min(length, total - position);
                for (int i = 0; i < n; i++) {
                    buffer[offset + i] = (byte) read();
                }
                return n;
            }
        };
        LineReader reader = new LineReader(generated, 200);
        long count = 0;
        for (LineReader.Line line = reader.next(); line != null; line = reader.next()) {
            count++;
        }

        assertThat(count).isEqualTo(total / 100);
        assertThat(reader.bytesRead()).isEqualTo(total);
    }
}
