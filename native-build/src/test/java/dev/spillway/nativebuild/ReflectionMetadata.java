package dev.spillway.nativebuild;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The reflection registrations Quarkus wrote into the runner jar of the native-image sources, read from
 * {@code META-INF/native-image/**}{@code /reflect-config.json} and, for newer GraalVM layouts,
 * {@code reachability-metadata.json} (its {@code reflection} array).
 */
final class ReflectionMetadata {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What Jackson needs of a class it (de)serializes: its constructors, methods (accessors) and fields. */
    enum Member {
        CONSTRUCTORS, METHODS, FIELDS
    }

    private final Map<String, JsonNode> entries;
    private final List<String> files;

    private ReflectionMetadata(Map<String, JsonNode> entries, List<String> files) {
        this.entries = entries;
        this.files = files;
    }

    static ReflectionMetadata of(Path runnerJar) {
        Map<String, JsonNode> entries = new HashMap<>();
        List<String> files = new ArrayList<>();
        try (ZipFile jar = new ZipFile(runnerJar.toFile())) {
            for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements();) {
                ZipEntry entry = e.nextElement();
                String name = entry.getName();
                if (!name.startsWith("META-INF/native-image/")) {
                    continue;
                }
                if (name.endsWith("/reflect-config.json")) {
                    files.add(name);
                    read(jar, entry).forEach(node -> merge(entries, node.path("name").asText(null), node));
                } else if (name.endsWith("/reachability-metadata.json")) {
                    files.add(name);
                    read(jar, entry).path("reflection").forEach(node -> merge(entries, typeName(node), node));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ReflectionMetadata(entries, files);
    }

    private static JsonNode read(ZipFile jar, ZipEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            return JSON.readTree(in);
        }
    }

    private static String typeName(JsonNode node) {
        JsonNode type = node.path("type");
        return type.isTextual() ? type.asText() : type.path("name").asText(null);
    }

    /** A class may be listed more than once; the union of its entries is what the image gets. */
    private static void merge(Map<String, JsonNode> entries, String name, JsonNode node) {
        if (name == null) {
            return;
        }
        JsonNode existing = entries.get(name);
        if (existing == null) {
            entries.put(name, node.deepCopy());
        } else {
            ((com.fasterxml.jackson.databind.node.ObjectNode) existing).setAll(
                    (com.fasterxml.jackson.databind.node.ObjectNode) node.deepCopy());
        }
    }

    List<String> files() {
        return files;
    }

    int size() {
        return entries.size();
    }

    boolean registers(String className) {
        return entries.containsKey(className);
    }

    /** The members of a class that are not registered (all of them when the class is not listed at all). */
    List<Member> missing(String className) {
        JsonNode entry = entries.get(className);
        List<Member> missing = new ArrayList<>();
        if (entry == null) {
            return List.of(Member.values());
        }
        if (!flag(entry, "allDeclaredConstructors") && !flag(entry, "allPublicConstructors")
                && !hasNamed(entry.path("methods"), "<init>")) {
            missing.add(Member.CONSTRUCTORS);
        }
        if (!flag(entry, "allDeclaredMethods") && !flag(entry, "allPublicMethods")) {
            missing.add(Member.METHODS);
        }
        if (!flag(entry, "allDeclaredFields") && !flag(entry, "allPublicFields")) {
            missing.add(Member.FIELDS);
        }
        return missing;
    }

    private static boolean flag(JsonNode entry, String name) {
        return entry.path(name).asBoolean(false);
    }

    private static boolean hasNamed(JsonNode members, String name) {
        for (JsonNode member : members) {
            if (name.equals(member.path("name").asText())) {
                return true;
            }
        }
        return false;
    }
}
