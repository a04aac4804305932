package dev.spillway.core.auth.dynamo;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.AuthConfig;
import dev.spillway.core.auth.WarmUp;
import dev.spillway.core.job.Tier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * {@link ApiKeyStore} on a DynamoDB table keyed by {@code keyHash}, with an index by tenant and creation time
 * ({@value #TENANT_INDEX}, every attribute projected: a key is written twice in its life) so that a tenant's keys are
 * a Query, not a Scan of every tenant's.
 */
@ApplicationScoped
public class DynamoApiKeyStore implements ApiKeyStore {

    public static final String TENANT_INDEX = "tenant-created-index";
    /** Jobs an hour of warm-up; present only on keys that opted in. */
    private static final String WARM_UP = "warmUpJobsPerHour";

    private final DynamoDbClient dynamo;
    private final String table;

    @Inject
    public DynamoApiKeyStore(DynamoDbClient dynamo, AuthConfig config) {
        this(dynamo, config.keysTable());
    }

    public DynamoApiKeyStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void put(ApiKey key) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("keyHash", AttributeValue.fromS(key.keyHash()));
        item.put("tenant", AttributeValue.fromS(key.tenant()));
        item.put("tier", AttributeValue.fromS(key.tier().name()));
        item.put("models", AttributeValue.fromS(String.join(",", key.models())));
        item.put("rpm", AttributeValue.fromN(Integer.toString(key.requestsPerMinute())));
        item.put("tpm", AttributeValue.fromN(Integer.toString(key.tokensPerMinute())));
        item.put("created", AttributeValue.fromN(Long.toString(key.created().toEpochMilli())));
        if (key.revoked() != null) {
            item.put("revoked", AttributeValue.fromN(Long.toString(key.revoked().toEpochMilli())));
        }
        if (key.warmUp().enabled()) {
            item.put(WARM_UP, AttributeValue.fromN(Integer.toString(key.warmUp().jobsPerHour())));
        }
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    @Override
    public Optional<ApiKey> find(String keyHash) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(Map.of("keyHash", AttributeValue.fromS(keyHash))).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toKey(item));
    }

    @Override
    public Optional<ApiKey> revoke(String keyIdOrHash, Instant now) {
        Optional<ApiKey> match = single(keyIdOrHash);
        if (match.isEmpty()) {
            return Optional.empty();
        }
        ApiKey key = match.get();
        try {
            Map<String, AttributeValue> updated = dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of("keyHash", AttributeValue.fromS(key.keyHash())))
                    .updateExpression("SET revoked = if_not_exists(revoked, :now)")
                    .conditionExpression("attribute_exists(keyHash)")
                    .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(now.toEpochMilli()))))
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
            return Optional.of(toKey(updated));
        } catch (ConditionalCheckFailedException gone) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<ApiKey> setWarmUp(String keyIdOrHash, WarmUp warmUp) {
        Optional<ApiKey> match = single(keyIdOrHash);
        if (match.isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> key = Map.of("keyHash", AttributeValue.fromS(match.get().keyHash()));
        try {
            Map<String, AttributeValue> updated = warmUp.enabled()
                    ? dynamo.updateItem(b -> b.tableName(table).key(key)
                            .updateExpression("SET " + WARM_UP + " = :jobs")
                            .conditionExpression("attribute_exists(keyHash)")
                            .expressionAttributeValues(Map.of(":jobs",
                                    AttributeValue.fromN(Integer.toString(warmUp.jobsPerHour()))))
                            .returnValues(ReturnValue.ALL_NEW)).attributes()
                    : dynamo.updateItem(b -> b.tableName(table).key(key)
                            .updateExpression("REMOVE " + WARM_UP)
                            .conditionExpression("attribute_exists(keyHash)")
                            .returnValues(ReturnValue.ALL_NEW)).attributes();
            return Optional.of(toKey(updated));
        } catch (ConditionalCheckFailedException gone) {
            return Optional.empty();
        }
    }

    /** The one key whose hash starts with {@code keyIdOrHash} (at least 8 hex digits). */
    private Optional<ApiKey> single(String keyIdOrHash) {
        if (keyIdOrHash.length() < 8) {
            return Optional.empty();
        }
        List<ApiKey> matches = list(null).stream().filter(k -> k.keyHash().startsWith(keyIdOrHash)).toList();
        return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
    }

    /**
     * A tenant's keys from the index, which is eventually consistent: a key created a moment ago may be missing. With
     * no tenant, every key (the operator's listing and revoking by key id): a Scan.
     */
    @Override
    public List<ApiKey> list(String tenant) {
        Stream<Map<String, AttributeValue>> items = tenant == null
                ? dynamo.scanPaginator(b -> b.tableName(table)).items().stream()
                : dynamo.queryPaginator(b -> b.tableName(table).indexName(TENANT_INDEX)
                        .keyConditionExpression("tenant = :tenant")
                        .expressionAttributeValues(Map.of(":tenant", AttributeValue.fromS(tenant)))).items().stream();
        return items.map(DynamoApiKeyStore::toKey).toList();
    }

    private static ApiKey toKey(Map<String, AttributeValue> item) {
        String models = item.get("models").s();
        Set<String> modelSet = models.isEmpty() ? Set.of()
                : Arrays.stream(models.split(",")).collect(Collectors.toUnmodifiableSet());
        return new ApiKey(item.get("keyHash").s(), item.get("tenant").s(), Tier.valueOf(item.get("tier").s()), modelSet,
                Integer.parseInt(item.get("rpm").n()), Integer.parseInt(item.get("tpm").n()),
                Instant.ofEpochMilli(Long.parseLong(item.get("created").n())),
                item.containsKey("revoked") ? Instant.ofEpochMilli(Long.parseLong(item.get("revoked").n())) : null,
                // keys stored before warm-up existed have no such attribute: off
                item.containsKey(WARM_UP) ? WarmUp.jobsPerHour(Integer.parseInt(item.get(WARM_UP).n())) : WarmUp.OFF);
    }
}
