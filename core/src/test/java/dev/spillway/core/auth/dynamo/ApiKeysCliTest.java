package dev.spillway.core.auth.dynamo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.core.auth.WarmUp;
import dev.spillway.core.job.Tier;
import dev.spillway.core.webhook.WebhookSignatures;
import dev.spillway.local.emulators.LocalCloud;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The key-management command against the DynamoDB emulator: what it creates authenticates, what it revokes does not. */
class ApiKeysCliTest {

    private static LocalCloud cloud;
    private static DynamoApiKeyStore store;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start(new LocalCloud.Options(Duration.ofSeconds(30), 3, false, false, "cli-test", 0, 0, 0));
        store = new DynamoApiKeyStore(cloud.dynamo(), cloud.apiKeysTable());
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static String run(String... args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int status = new ApiKeysCli(store, new PrintStream(buffer, true, StandardCharsets.UTF_8)).run(args);
        return status + "\n" + buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void create_printsAKeyWhoseHashIsStoredWithItsGrants() {
        String output = run("create", "--tenant", "acme", "--tier", "batch", "--models", "m1,m2", "--rpm", "60",
                "--tpm", "1000");

        String[] lines = output.split("\n");
        assertThat(lines[0]).isEqualTo("0");
        String key = lines[1];
        assertThat(key).startsWith(ApiKeys.PREFIX);
        ApiKey stored = store.find(ApiKeys.hash(key)).orElseThrow();
        assertThat(stored.tenant()).isEqualTo("acme");
        assertThat(stored.tier()).isEqualTo(Tier.BATCH);
        assertThat(stored.models()).containsExactlyInAnyOrder("m1", "m2");
        assertThat(stored.requestsPerMinute()).isEqualTo(60);
        assertThat(stored.tokensPerMinute()).isEqualTo(1000);
        assertThat(output).doesNotContain(stored.keyHash()).contains(stored.keyId());
    }

    @Test
    void revoke_byKeyId_marksTheKeyRevokedAndListShowsIt() {
        String key = run("create", "--tenant", "revokee").split("\n")[1];
        String keyId = ApiKeys.hash(key).substring(0, 12);

        assertThat(run("revoke", keyId)).startsWith("0\nrevoked " + keyId);

        assertThat(store.find(ApiKeys.hash(key)).orElseThrow().isRevoked()).isTrue();
        assertThat(run("list", "--tenant", "revokee")).contains(keyId).contains("REVOKED");
        assertThat(run("revoke", "ffffffffffff")).startsWith("1\n");
    }

    @Test
    void list_ofATenant_showsItsKeysOnly_fromTheTenantIndex() {
        String mine = ApiKeys.hash(run("create", "--tenant", "lister").split("\n")[1]).substring(0, 12);
        String theirs = ApiKeys.hash(run("create", "--tenant", "lister-other").split("\n")[1]).substring(0, 12);

        assertThat(store.list("lister")).extracting(ApiKey::tenant).containsExactly("lister");
        assertThat(run("list", "--tenant", "lister")).contains(mine).doesNotContain(theirs);
        assertThat(store.list(null)).extracting(ApiKey::tenant).contains("lister", "lister-other");
    }

    @Test
    void create_withoutTenant_isAUsageError() {
        assertThat(run("create")).startsWith("2\ncreate needs --tenant");
    }

    @Test
    void webhookSecret_isTheTenantsDerivedSigningSecret_andNeedsTheMasterSecret() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int status = new ApiKeysCli(store, new PrintStream(buffer, true, StandardCharsets.UTF_8),
                Optional.of("master")).run(new String[] { "webhook-secret", "--tenant", "acme" });

        assertThat(status).isZero();
        assertThat(buffer.toString(StandardCharsets.UTF_8).split("\n")[0])
                .isEqualTo(WebhookSignatures.tenantSecret("master", "acme")).startsWith("whsec_");
        assertThat(run("webhook-secret", "--tenant", "acme")).startsWith("1\n");
    }

    @Test
    void create_withWarmUp_storesTheBudget_andListShowsIt() {
        String key = run("create", "--tenant", "warm", "--warm-up", "120").split("\n")[1];

        ApiKey stored = store.find(ApiKeys.hash(key)).orElseThrow();
        assertThat(stored.warmUp()).isEqualTo(WarmUp.jobsPerHour(120));
        assertThat(run("list", "--tenant", "warm")).contains("warm-up=120/h");
    }

    @Test
    void warmUp_turnsAnExistingKeyOnAndOff_keepingItsOtherGrants() {
        // GIVEN a key without warm-up
        String key = run("create", "--tenant", "toggler", "--rpm", "60").split("\n")[1];
        String keyId = ApiKeys.hash(key).substring(0, 12);
        assertThat(store.find(ApiKeys.hash(key)).orElseThrow().warmUp()).isEqualTo(WarmUp.OFF);

        // WHEN it is turned on, then off
        assertThat(run("warm-up", keyId, "30")).startsWith("0\nwarm-up 30/h for " + keyId);
        ApiKey on = store.find(ApiKeys.hash(key)).orElseThrow();
        assertThat(run("warm-up", keyId, "off")).startsWith("0\nwarm-up off for " + keyId);
        ApiKey off = store.find(ApiKeys.hash(key)).orElseThrow();

        // THEN each state is stored, and nothing else about the key changed
        assertThat(on.warmUp()).isEqualTo(WarmUp.jobsPerHour(30));
        assertThat(on.requestsPerMinute()).isEqualTo(60);
        assertThat(off.warmUp()).isEqualTo(WarmUp.OFF);
        assertThat(off.withWarmUp(WarmUp.jobsPerHour(30))).isEqualTo(on);
    }

    @Test
    void warmUp_withABadBudgetOrAnUnknownKey_changesNothing() {
        String key = run("create", "--tenant", "badwarm").split("\n")[1];
        String keyId = ApiKeys.hash(key).substring(0, 12);

        assertThat(run("warm-up", keyId, "0")).startsWith("2\n");
        assertThat(run("warm-up", keyId, "many")).startsWith("2\n");
        assertThat(run("warm-up", "ffffffffffff", "10")).startsWith("1\n");
        assertThat(store.find(ApiKeys.hash(key)).orElseThrow().warmUp()).isEqualTo(WarmUp.OFF);
    }

    @Test
    void aKeyStoredBeforeWarmUpExisted_readsBackAsOff() {
        // GIVEN an item as the store wrote it before the warm-up attribute existed
        String hash = ApiKeys.hash(ApiKeys.generate());
        cloud.dynamo().putItem(b -> b.tableName(cloud.apiKeysTable()).item(Map.of(
                "keyHash", AttributeValue.fromS(hash), "tenant", AttributeValue.fromS("old"),
                "tier", AttributeValue.fromS("STANDARD"), "models", AttributeValue.fromS(""),
                "rpm", AttributeValue.fromN("0"), "tpm", AttributeValue.fromN("0"),
                "created", AttributeValue.fromN("1700000000000"))));

        // WHEN / THEN
        assertThat(store.find(hash).orElseThrow().warmUp()).isEqualTo(WarmUp.OFF);
    }
}
