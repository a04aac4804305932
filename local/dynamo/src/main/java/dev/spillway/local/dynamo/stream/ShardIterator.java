package dev.spillway.local.dynamo.stream;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import dev.spillway.local.dynamo.value.DynamoException;

/**
 * Where a reader stands in a shard: the stream, the shard, the lowest sequence number it reads next, and when the
 * iterator was handed out (iterators expire after 15 minutes). Clients see it only as an opaque string.
 */
record ShardIterator(String streamArn, String shardId, long position, Instant issuedAt) {

    private static final String SEPARATOR = "|";

    String encode() {
        String plain = String.join(SEPARATOR, "1", streamArn, shardId, Long.toString(position),
                Long.toString(issuedAt.toEpochMilli()));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    static ShardIterator decode(String text) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            String[] parts = plain.split("\\|", -1);
            if (parts.length != 5 || !parts[0].equals("1")) {
                throw invalid();
            }
            return new ShardIterator(parts[1], parts[2], Long.parseLong(parts[3]),
                    Instant.ofEpochMilli(Long.parseLong(parts[4])));
        } catch (IllegalArgumentException e) { // bad Base64 or number
            throw invalid();
        }
    }

    private static DynamoException invalid() {
        return DynamoException.validation("Invalid ShardIterator");
    }
}
