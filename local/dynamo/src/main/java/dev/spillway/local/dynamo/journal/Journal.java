package dev.spillway.local.dynamo.journal;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.spillway.local.dynamo.value.AttributeValue;

/** Opens a data directory's journal: replay, compaction, then a {@link JournalWriter} for what follows. */
public final class Journal {

    public static final String FILE_NAME = "dynamo.journal";
    private static final Logger LOG = Logger.getLogger(Journal.class);

    private Journal() {
    }

    /**
     * Replays {@code <directory>/dynamo.journal} (if any) into {@code target}, rewrites it as {@code state()} then
     * describes the database, and returns the writer to attach to the database for every later change.
     *
     * @param state the database's state after the replay, taken once
     */
    public static JournalWriter open(Path directory, ReplayTarget target, Supplier<List<TableState>> state,
            boolean fsync) throws IOException {
        Files.createDirectories(directory);
        Path journal = directory.resolve(FILE_NAME);
        if (Files.exists(journal)) {
            replay(journal, target);
        }
        List<TableState> tables = state.get();
        compact(directory, journal, tables);
        return new JournalWriter(journal, fsync, tables);
    }

    /** @return how many entries were applied */
    static int replay(Path journal, ReplayTarget target) throws IOException {
        byte[] content = Files.readAllBytes(journal);
        int applied = 0;
        int lineNumber = 0;
        int start = 0;
        while (start < content.length) {
            int end = indexOf(content, (byte) '\n', start);
            boolean last = end < 0 || end == content.length - 1;
            String line = new String(content, start, (end < 0 ? content.length : end) - start,
                    StandardCharsets.UTF_8);
            lineNumber++;
            start = end < 0 ? content.length : end + 1;
            if (line.isBlank()) {
                continue;
            }
            try {
                if (end < 0) {
                    throw new IOException("no line end"); // the write that would have ended it never finished
                }
                JournalLines.apply(line, target);
                applied++;
            } catch (IOException torn) {
                if (!last) {
                    throw new IOException(journal + " line " + lineNumber + " is damaged (" + torn.getMessage()
                            + "); only a last line cut short by a crash is skipped", torn);
                }
                LOG.warnf("%s: dropped a torn last line %d (%d bytes, a write cut short by a crash): %s", journal,
                        lineNumber, line.length(), torn.getMessage());
            }
        }
        LOG.infof("%s: replayed %d entries", journal, applied);
        return applied;
    }

    /** Writes the state to a temporary file, forces it to disk, then renames it over the journal in one step. */
    static void compact(Path directory, Path journal, List<TableState> tables) throws IOException {
        Path temporary = directory.resolve(FILE_NAME + ".tmp");
        try (FileOutputStream file = new FileOutputStream(temporary.toFile());
                OutputStream out = new BufferedOutputStream(file, 1 << 16)) {
            for (TableState table : tables) {
                String name = table.description().path("TableName").asText();
                out.write(JournalLines.createTable(name, table.description()));
                if (table.timeToLiveAttribute() != null) {
                    out.write(JournalLines.timeToLive(name, table.timeToLiveAttribute()));
                }
                for (Map<String, AttributeValue> item : table.items()) {
                    out.write(JournalLines.put(name, item));
                }
            }
            out.flush();
            file.getFD().sync();
        }
        Files.move(temporary, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(directory);
    }

    /** Makes the rename itself durable; some platforms cannot open a directory, and then the OS decides. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debugf("cannot fsync directory %s: %s", directory, e);
        }
    }

    private static int indexOf(byte[] content, byte wanted, int from) {
        for (int i = from; i < content.length; i++) {
            if (content[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
