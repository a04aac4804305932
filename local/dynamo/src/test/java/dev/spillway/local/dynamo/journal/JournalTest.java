package dev.spillway.local.dynamo.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;

class JournalTest {

    @TempDir
    Path directory;

    @Test
    void changesWritten_areReplayedAtTheNextOpen() throws IOException {
        // GIVEN a journal that saw a table, TTL, puts, an overwrite and a delete
        try (JournalWriter writer = Journal.open(directory, new TinyDatabase(), List::of, false)) {
            writer.tableCreated("jobs", description("jobs"));
            writer.timeToLiveUpdated("jobs", "expiresAt");
            writer.itemChanged("jobs", null, item("a", "1"), false);
            writer.itemChanged("jobs", null, item("b", "1"), false);
            writer.itemChanged("jobs", item("a", "1"), item("a", "2"), false);
            writer.itemChanged("jobs", item("b", "1"), null, true);
        }

        // WHEN
        TinyDatabase restored = new TinyDatabase();
        Journal.open(directory, restored, restored::state, false).close();

        // THEN
        assertThat(restored.timeToLive).containsEntry("jobs", "expiresAt");
        assertThat(restored.items.get("jobs")).containsOnlyKeys("a");
        assertThat(restored.items.get("jobs").get("a")).isEqualTo(item("a", "2"));
    }

    @Test
    void deletedTable_staysDeletedAfterReplay() throws IOException {
        // GIVEN
        try (JournalWriter writer = Journal.open(directory, new TinyDatabase(), List::of, false)) {
            writer.tableCreated("jobs", description("jobs"));
            writer.itemChanged("jobs", null, item("a", "1"), false);
            writer.tableDeleted("jobs");
        }

        // WHEN
        TinyDatabase restored = new TinyDatabase();
        Journal.open(directory, restored, restored::state, false).close();

        // THEN
        assertThat(restored.descriptions).isEmpty();
    }

    @Test
    void tornLastLine_isIgnored_andTheLinesBeforeItAreKept() throws IOException {
        // GIVEN a journal whose last write was cut short
        try (JournalWriter writer = Journal.open(directory, new TinyDatabase(), List::of, false)) {
            writer.tableCreated("jobs", description("jobs"));
            writer.itemChanged("jobs", null, item("a", "1"), false);
        }
        Files.writeString(journal(), "{\"op\":\"put\",\"table\":\"jobs\",\"item\":{\"id\":{\"S\":\"b",
                StandardOpenOption.APPEND);

        // WHEN
        TinyDatabase restored = new TinyDatabase();
        Journal.open(directory, restored, restored::state, false).close();

        // THEN
        assertThat(restored.items.get("jobs")).containsOnlyKeys("a");
        assertThat(Files.readString(journal())).doesNotContain("\"b");
    }

    @Test
    void damagedLineBeforeTheLast_stopsTheStart() throws IOException {
        // GIVEN
        Files.writeString(journal(), "{\"op\":\"createTable\",\"table\":\"jobs\",\"description\":"
                + description("jobs") + "}\n{garbage\n{\"op\":\"deleteTable\",\"table\":\"jobs\"}\n");

        // WHEN / THEN
        TinyDatabase restored = new TinyDatabase();
        assertThatThrownBy(() -> Journal.open(directory, restored, restored::state, false))
                .isInstanceOf(IOException.class).hasMessageContaining("line 2");
    }

    @Test
    void compaction_shrinksAJournalOfManyOverwrites_toOneLinePerLiveItem() throws IOException {
        // GIVEN 500 overwrites of one item
        try (JournalWriter writer = Journal.open(directory, new TinyDatabase(), List::of, false)) {
            writer.tableCreated("jobs", description("jobs"));
            for (int i = 0; i < 500; i++) {
                writer.itemChanged("jobs", i == 0 ? null : item("a", Integer.toString(i - 1)),
                        item("a", Integer.toString(i)), false);
            }
        }
        long before = Files.size(journal());

        // WHEN
        TinyDatabase restored = new TinyDatabase();
        Journal.open(directory, restored, restored::state, false).close();

        // THEN
        assertThat(Files.size(journal())).isLessThan(before / 50);
        assertThat(Files.readAllLines(journal())).hasSize(2);
        assertThat(restored.items.get("jobs").get("a")).isEqualTo(item("a", "499"));
        assertThat(Files.exists(directory.resolve(Journal.FILE_NAME + ".tmp"))).isFalse();
    }

    @Test
    void writerAfterCompaction_appendsToTheCompactedJournal() throws IOException {
        // GIVEN a compacted journal with one item
        try (JournalWriter writer = Journal.open(directory, new TinyDatabase(), List::of, false)) {
            writer.tableCreated("jobs", description("jobs"));
            writer.itemChanged("jobs", null, item("a", "1"), false);
        }
        TinyDatabase second = new TinyDatabase();

        // WHEN the next run adds an item, with fsync on
        try (JournalWriter writer = Journal.open(directory, second, second::state, true)) {
            writer.itemChanged("jobs", null, item("b", "1"), false);
        }

        // THEN both are there at the third start
        TinyDatabase third = new TinyDatabase();
        Journal.open(directory, third, third::state, false).close();
        assertThat(third.items.get("jobs")).containsOnlyKeys("a", "b");
    }

    private Path journal() {
        return directory.resolve(Journal.FILE_NAME);
    }

    private static Map<String, AttributeValue> item(String id, String value) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("id", new AttributeValue.S(id));
        item.put("v", new AttributeValue.S(value));
        return item;
    }

    private static ObjectNode description(String table) {
        ObjectNode description = new ObjectMapper().createObjectNode().put("TableName", table);
        description.putArray("KeySchema").addObject().put("AttributeName", "id").put("KeyType", "HASH");
        return description;
    }

    /** The least database a journal can restore: tables of items keyed by a string "id". */
    private static final class TinyDatabase implements ReplayTarget {
        final Map<String, ObjectNode> descriptions = new LinkedHashMap<>();
        final Map<String, String> timeToLive = new LinkedHashMap<>();
        final Map<String, Map<String, Map<String, AttributeValue>>> items = new LinkedHashMap<>();

        @Override
        public void createTable(ObjectNode description) {
            String table = description.path("TableName").asText();
            descriptions.put(table, description);
            items.put(table, new LinkedHashMap<>());
        }

        @Override
        public void updateTable(ObjectNode description) {
            descriptions.put(description.path("TableName").asText(), description);
        }

        @Override
        public void timeToLive(String table, String attributeOrNull) {
            timeToLive.put(table, attributeOrNull);
        }

        @Override
        public void put(String table, Map<String, AttributeValue> item) {
            items.get(table).put(((AttributeValue.S) item.get("id")).value(), item);
        }

        @Override
        public void delete(String table, Map<String, AttributeValue> key) {
            assertThat(key).containsOnlyKeys("id");
            items.get(table).remove(((AttributeValue.S) key.get("id")).value());
        }

        @Override
        public void deleteTable(String table) {
            descriptions.remove(table);
            items.remove(table);
            timeToLive.remove(table);
        }

        List<TableState> state() {
            List<TableState> tables = new ArrayList<>();
            descriptions.forEach((name, description) -> tables.add(new TableState(description, timeToLive.get(name),
                    new ArrayList<>(items.get(name).values()))));
            return tables;
        }
    }
}
