package dev.spillway.core.auth.dynamo;

import java.io.PrintStream;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.core.auth.WarmUp;
import dev.spillway.core.job.Tier;
import dev.spillway.core.webhook.WebhookSignatures;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * Creates, lists and revokes API keys in the keys table. Against AWS it uses the default credential chain
 * and region; against the local stack pass {@code --endpoint} (printed by the local stack at start).
 *
 * <pre>
 * create --tenant NAME [--tier interactive|standard|batch] [--models a,b] [--rpm N] [--tpm N] [--warm-up JOBS_PER_HOUR]
 * list [--tenant NAME]
 * revoke KEY_ID
 * warm-up KEY_ID JOBS_PER_HOUR|off   (re-run the tenant's hot prompts before their cache entries expire)
 * webhook-secret --tenant NAME   (the tenant's webhook signing secret, from SPILLWAY_WEBHOOKS_SIGNING_SECRET)
 * options: [--table spillway-api-keys] [--endpoint URL] [--region REGION]
 * </pre>
 */
public final class ApiKeysCli {

    private final ApiKeyStore store;
    private final PrintStream out;
    /** The deployment's webhook master secret, when known; never taken from the command line (it shows in ps). */
    private final Optional<String> webhookMasterSecret;

    public ApiKeysCli(ApiKeyStore store, PrintStream out) {
        this(store, out, Optional.empty());
    }

    public ApiKeysCli(ApiKeyStore store, PrintStream out, Optional<String> webhookMasterSecret) {
        this.store = store;
        this.out = out;
        this.webhookMasterSecret = webhookMasterSecret;
    }

    public static void main(String[] args) {
        Map<String, String> options = options(args);
        DynamoDbClientBuilder builder = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create());
        Optional.ofNullable(options.get("region")).ifPresent(region -> builder.region(Region.of(region)));
        if (options.containsKey("endpoint")) {
            builder.endpointOverride(URI.create(options.get("endpoint")))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
            if (!options.containsKey("region")) {
                builder.region(Region.US_EAST_1);
            }
        }
        int status;
        try (DynamoDbClient dynamo = builder.build()) {
            status = new ApiKeysCli(new DynamoApiKeyStore(dynamo, options.getOrDefault("table", "spillway-api-keys")),
                    System.out, Optional.ofNullable(System.getenv("SPILLWAY_WEBHOOKS_SIGNING_SECRET"))).run(args);
        }
        System.exit(status);
    }

    /** @return the process exit status */
    public int run(String[] args) {
        Map<String, String> options = options(args);
        List<String> positional = positional(args);
        String command = positional.isEmpty() ? "help" : positional.get(0);
        switch (command) {
            case "create" -> {
                if (!options.containsKey("tenant")) {
                    return usage("create needs --tenant");
                }
                String key = ApiKeys.generate();
                Set<String> models = options.containsKey("models")
                        ? Set.copyOf(Arrays.asList(options.get("models").split(",")))
                        : Set.of();
                ApiKey apiKey = new ApiKey(ApiKeys.hash(key), options.get("tenant"),
                        Tier.fromWire(options.getOrDefault("tier", "interactive")), models,
                        Integer.parseInt(options.getOrDefault("rpm", "0")),
                        Integer.parseInt(options.getOrDefault("tpm", "0")), Instant.now(), null,
                        options.containsKey("warm-up") ? warmUp(options.get("warm-up")) : WarmUp.OFF);
                store.put(apiKey);
                out.println(key);
                out.println("# key id " + apiKey.keyId() + ", tenant " + apiKey.tenant() + ", tier "
                        + apiKey.tier().wireName() + ". The key is shown only now: store it safely.");
                return 0;
            }
            case "list" -> {
                for (ApiKey key : store.list(options.get("tenant"))) {
                    out.printf("%s tenant=%s tier=%s models=%s rpm=%d tpm=%d warm-up=%s created=%s%s%n", key.keyId(),
                            key.tenant(), key.tier().wireName(),
                            key.models().isEmpty() ? "*" : String.join(",", key.models()), key.requestsPerMinute(),
                            key.tokensPerMinute(), describe(key.warmUp()), key.created(),
                            key.isRevoked() ? " REVOKED " + key.revoked() : "");
                }
                return 0;
            }
            case "revoke" -> {
                if (positional.size() < 2) {
                    return usage("revoke needs a key id");
                }
                Optional<ApiKey> revoked = store.revoke(positional.get(1), Instant.now());
                if (revoked.isEmpty()) {
                    out.println("no single key matches " + positional.get(1));
                    return 1;
                }
                out.println("revoked " + revoked.get().keyId() + " of tenant " + revoked.get().tenant());
                return 0;
            }
            case "warm-up" -> {
                if (positional.size() < 3) {
                    return usage("warm-up needs a key id and a number of jobs an hour, or off");
                }
                WarmUp setting;
                try {
                    setting = warmUp(positional.get(2));
                } catch (IllegalArgumentException e) {
                    return usage(e.getMessage());
                }
                Optional<ApiKey> updated = store.setWarmUp(positional.get(1), setting);
                if (updated.isEmpty()) {
                    out.println("no single key matches " + positional.get(1));
                    return 1;
                }
                out.println("warm-up " + describe(updated.get().warmUp()) + " for " + updated.get().keyId()
                        + " of tenant " + updated.get().tenant());
                return 0;
            }
            case "webhook-secret" -> {
                if (!options.containsKey("tenant")) {
                    return usage("webhook-secret needs --tenant");
                }
                if (webhookMasterSecret.filter(secret -> !secret.isBlank()).isEmpty()) {
                    out.println("set SPILLWAY_WEBHOOKS_SIGNING_SECRET to the deployment's spillway.webhooks.signing-secret");
                    return 1;
                }
                out.println(WebhookSignatures.tenantSecret(webhookMasterSecret.get(), options.get("tenant")));
                out.println("# verifies Spillway-Signature on webhooks of tenant " + options.get("tenant")
                        + "; give it to that tenant only.");
                return 0;
            }
            default -> {
                return usage(null);
            }
        }
    }

    /** {@code off}, or a number of jobs an hour (at least 1). */
    private static WarmUp warmUp(String value) {
        if ("off".equalsIgnoreCase(value)) {
            return WarmUp.OFF;
        }
        try {
            return WarmUp.jobsPerHour(Integer.parseInt(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("warm-up takes a number of jobs an hour or off, got " + value);
        }
    }

    private static String describe(WarmUp warmUp) {
        return warmUp.enabled() ? warmUp.jobsPerHour() + "/h" : "off";
    }

    private int usage(String problem) {
        if (problem != null) {
            out.println(problem);
        }
        out.println("usage: create --tenant NAME [--tier interactive|standard|batch] [--models a,b] [--rpm N] [--tpm N]"
                + " [--warm-up JOBS_PER_HOUR] | list [--tenant NAME] | revoke KEY_ID | warm-up KEY_ID JOBS_PER_HOUR|off"
                + " | webhook-secret --tenant NAME"
                + "   [--table T] [--endpoint URL] [--region R]");
        return 2;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].startsWith("--")) {
                options.put(args[i].substring(2), args[++i]);
            }
        }
        return options;
    }

    private static List<String> positional(String[] args) {
        List<String> positional = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                i++;
            } else {
                positional.add(args[i]);
            }
        }
        return positional;
    }
}
