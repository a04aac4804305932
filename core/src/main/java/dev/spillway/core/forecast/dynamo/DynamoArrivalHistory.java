package dev.spillway.core.forecast.dynamo;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.spillway.capacity.policy.PrescaleBudget;
import dev.spillway.core.forecast.ArrivalHistory;
import dev.spillway.core.forecast.ForecastConfig;
import dev.spillway.core.forecast.PrescaleLedger;
import dev.spillway.core.forecast.Series;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The arrivals table: partition key {@value #SERIES} ({@code <fleet>#<tier>}), sort key {@value #START} (the
 * interval's start, epoch seconds), attribute {@value #COUNT}; a series is read with one Query over a time range, never
 * a Scan. Each fleet's pre-scaling ledger is the item {@code prescale#<fleet>} / 0 of the same table. One item per
 * series and interval is written once, by the scheduler, so no item is hot.
 */
@ApplicationScoped
public class DynamoArrivalHistory implements ArrivalHistory {

    public static final String SERIES = "series";
    public static final String START = "start";
    public static final String COUNT = "count";
    public static final String EXPIRES_AT = "expiresAt";
    private static final String LEDGER_PREFIX = "prescale#";

    private final DynamoDbClient dynamo;
    private final String table;

    @Inject
    public DynamoArrivalHistory(DynamoDbClient dynamo, ForecastConfig config) {
        this(dynamo, config.table());
    }

    public DynamoArrivalHistory(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public boolean record(Series series, Instant intervalStart, long count, Instant expires) {
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of(SERIES, AttributeValue.fromS(series.id()), START, n(intervalStart.getEpochSecond()),
                            COUNT, n(count), EXPIRES_AT, n(expires.getEpochSecond())))
                    .conditionExpression("attribute_not_exists(#series)")
                    .expressionAttributeNames(Map.of("#series", SERIES)));
            return true;
        } catch (ConditionalCheckFailedException recordedAlready) {
            return false;
        }
    }

    @Override
    public NavigableMap<Instant, Long> read(Series series, Instant from, Instant to) {
        NavigableMap<Instant, Long> counts = new TreeMap<>();
        Map<String, AttributeValue> startKey = null;
        do {
            Map<String, AttributeValue> exclusiveStart = startKey;
            QueryResponse page = dynamo.query(QueryRequest.builder().tableName(table)
                    .keyConditionExpression("#series = :series AND #start BETWEEN :from AND :to")
                    .expressionAttributeNames(Map.of("#series", SERIES, "#start", START))
                    .expressionAttributeValues(Map.of(":series", AttributeValue.fromS(series.id()),
                            ":from", n(from.getEpochSecond()), ":to", n(to.getEpochSecond() - 1)))
                    .exclusiveStartKey(exclusiveStart).build());
            for (Map<String, AttributeValue> item : page.items()) {
                counts.put(Instant.ofEpochSecond(Long.parseLong(item.get(START).n())),
                        Long.parseLong(item.get(COUNT).n()));
            }
            startKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey()
                    : null;
        } while (startKey != null);
        return counts;
    }

    @Override
    public Optional<PrescaleLedger> ledger(String fleet) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(ledgerKey(fleet))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PrescaleLedger(new PrescaleBudget.State(Long.parseLong(item.get("day").n()),
                Double.parseDouble(item.get("chargedToday").n()), Integer.parseInt(item.get("extraTasks").n())),
                Instant.ofEpochMilli(Long.parseLong(item.get("lastTick").n()))));
    }

    @Override
    public boolean replaceLedger(String fleet, Optional<PrescaleLedger> previous, PrescaleLedger next) {
        Map<String, AttributeValue> item = new HashMap<>(ledgerKey(fleet));
        item.put("day", n(next.budget().day()));
        item.put("chargedToday", AttributeValue.fromN(Double.toString(next.budget().chargedToday())));
        item.put("extraTasks", n(next.budget().extraTasks()));
        item.put("lastTick", n(next.lastTick().toEpochMilli()));
        try {
            if (previous.isEmpty()) {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(#series)")
                        .expressionAttributeNames(Map.of("#series", SERIES)));
            } else {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("lastTick = :previous")
                        .expressionAttributeValues(Map.of(":previous", n(previous.get().lastTick().toEpochMilli()))));
            }
            return true;
        } catch (ConditionalCheckFailedException changedMeanwhile) {
            return false;
        }
    }

    private static Map<String, AttributeValue> ledgerKey(String fleet) {
        return Map.of(SERIES, AttributeValue.fromS(LEDGER_PREFIX + fleet), START, n(0));
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
