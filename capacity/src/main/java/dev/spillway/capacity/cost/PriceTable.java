package dev.spillway.capacity.cost;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import dev.spillway.capacity.sim.Usage;

/**
 * Prices in US dollars, from a properties file anyone can edit: {@code gpu-hour.<instance type>} per instance-hour,
 * then {@code lambda.gb-second}, and per million {@code lambda.million-requests}, {@code api.million-requests},
 * {@code sqs.million-requests}, {@code dynamodb.million-write-units}, {@code dynamodb.million-read-units},
 * {@code direct.million-input-tokens}, {@code direct.million-output-tokens}. The table shipped here
 * ({@link #DEFAULT_RESOURCE}) holds list prices; copy it, change what your account pays, and pass the copy.
 */
public final class PriceTable {

    public static final String DEFAULT_RESOURCE = "/dev/spillway/capacity/prices.properties";

    private final String source;
    private final Properties prices;

    private PriceTable(final String source, final Properties prices) {
        this.source = source;
        this.prices = prices;
    }

    /** The table shipped with the planner. */
    public static PriceTable defaults() {
        try (InputStream in = PriceTable.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the class path");
            }
            Properties prices = new Properties();
            prices.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            return new PriceTable("the default price table (capacity/src/main/resources" + DEFAULT_RESOURCE + ")",
                    prices);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PriceTable read(final Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties prices = new Properties();
            prices.load(reader);
            return new PriceTable(file.toString(), prices);
        }
    }

    /** Where the prices came from, for the report. */
    public String source() {
        return source;
    }

    /** Dollars per hour of one instance of {@code instanceType}. */
    public double gpuHour(final String instanceType) {
        return price("gpu-hour." + instanceType);
    }

    /** What {@code usage} costs, item by item (in the order of the report) and in total. */
    public Cost cost(final Usage usage) {
        Map<String, Double> items = new LinkedHashMap<>();
        items.put("GPU instances (" + usage.instanceType() + ")",
                usage.gpuInstanceHours() * gpuHour(usage.instanceType()));
        items.put("intake Lambda (GB-seconds and requests)", usage.lambdaGbSeconds() * price("lambda.gb-second")
                + perMillion(usage.lambdaInvocations(), "lambda.million-requests"));
        items.put("API requests", perMillion(usage.lambdaInvocations(), "api.million-requests"));
        items.put("SQS", perMillion(usage.sqsRequests(), "sqs.million-requests"));
        items.put("DynamoDB", perMillion(usage.dynamoWriteUnits(), "dynamodb.million-write-units")
                + perMillion(usage.dynamoReadUnits(), "dynamodb.million-read-units"));
        items.put("direct-lane upstream tokens", perMillion(usage.directInputTokens(), "direct.million-input-tokens")
                + perMillion(usage.directOutputTokens(), "direct.million-output-tokens"));
        return new Cost(items);
    }

    private double perMillion(final long count, final String key) {
        return count / 1e6 * price(key);
    }

    private double price(final String key) {
        String value = prices.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("no price '" + key + "' in " + source + ": add a line '" + key
                    + " = <US dollars>'");
        }
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("price '" + key + "' in " + source + " must be a number, got '"
                    + value + "'", e);
        }
    }
}
