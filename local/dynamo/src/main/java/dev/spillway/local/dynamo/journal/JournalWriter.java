package dev.spillway.local.dynamo.journal;

import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.table.ChangeListener;
import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * Appends every change the database reports to the journal, one line per change, each in a single {@code write()}
 * so that the OS holds it before the database answers (see the package documentation for what that survives).
 */
public final class JournalWriter implements ChangeListener, Closeable {

    private final FileOutputStream out;
    private final boolean fsync;
    /** Each table's key attribute names, to journal a removal by its key alone. */
    private final Map<String, List<String>> keyAttributes = new HashMap<>();

    JournalWriter(Path file, boolean fsync, List<TableState> tables) throws IOException {
        this.out = new FileOutputStream(file.toFile(), true);
        this.fsync = fsync;
        tables.forEach(table -> rememberKeys(table.description()));
    }

    @Override
    public synchronized void tableCreated(String table, ObjectNode description) {
        rememberKeys(description);
        append(JournalLines.createTable(table, description));
    }

    @Override
    public synchronized void tableUpdated(String table, ObjectNode description) {
        append(JournalLines.updateTable(table, description));
    }

    @Override
    public synchronized void tableDeleted(String table) {
        keyAttributes.remove(table);
        append(JournalLines.deleteTable(table));
    }

    @Override
    public synchronized void timeToLiveUpdated(String table, String attribute) {
        append(JournalLines.timeToLive(table, attribute));
    }

    @Override
    public synchronized void itemChanged(String table, Map<String, AttributeValue> oldImage,
            Map<String, AttributeValue> newImage, boolean byTimeToLive) {
        if (newImage != null) {
            append(JournalLines.put(table, newImage));
        } else if (oldImage != null) {
            append(JournalLines.delete(table, key(table, oldImage)));
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    private Map<String, AttributeValue> key(String table, Map<String, AttributeValue> item) {
        List<String> names = keyAttributes.get(table);
        if (names == null) {
            return item; // unknown schema: the whole item still names the key
        }
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        names.forEach(name -> key.put(name, item.get(name)));
        return key;
    }

    private void rememberKeys(ObjectNode description) {
        List<String> names = new ArrayList<>();
        description.path("KeySchema").forEach(key -> names.add(key.path("AttributeName").asText()));
        keyAttributes.put(description.path("TableName").asText(), names);
    }

    private void append(byte[] line) {
        try {
            out.write(line);
            if (fsync) {
                out.getFD().sync();
            }
        } catch (IOException e) {
            // Better a failed request than an acknowledged write that a restart would lose.
            throw new DynamoException("InternalServerError", 500, "Could not write the journal: " + e.getMessage(),
                    null, null);
        }
    }
}
