package dev.spillway.infra.data;

import java.util.Arrays;
import java.util.List;

import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;

/**
 * DynamoDB grants by what the code does with a table, so each role gets the calls it makes and no more (CDK's
 * {@code grantReadWriteData} would add Scan, BatchGetItem, stream reads and every index). The groups follow
 * {@code DynamoJobStore}, {@code DynamoBatchStore}, {@code FileBatchStore} and {@code DynamoApiKeyStore}: a
 * transaction needs the action of each item it writes (PutItem for a Put, UpdateItem for an Update).
 */
public final class DataAccess {

    /** Item reads by key ({@code find}, idempotency replays, key lookups). */
    public static final List<String> READ = List.of("dynamodb:GetItem");
    /** Conditional creates, alone or in a transaction. */
    public static final List<String> CREATE = List.of("dynamodb:PutItem");
    /**
     * Merged creates of fresh jobs ({@code createAll}). The action cannot be limited to puts, so it is granted only
     * to the code that creates jobs.
     */
    public static final List<String> BATCH_CREATE = List.of("dynamodb:BatchWriteItem");
    /** Conditional state transitions. */
    public static final List<String> TRANSITION = List.of("dynamodb:UpdateItem");
    /** Withdrawing what a failed admission left (a QUEUED job, its idempotency record, a batch record). */
    public static final List<String> WITHDRAW = List.of("dynamodb:DeleteItem");

    private DataAccess() {
    }

    /** Grants the actions of each group on the table itself (not its indexes). */
    @SafeVarargs
    public static void grant(final IGrantable grantee, final ITable table, final List<String>... groups) {
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(Arrays.stream(groups).flatMap(List::stream).distinct().toList())
                .resourceArns(List.of(table.getTableArn()))
                .build());
    }

    /** Grants Query on one named index of the table. */
    public static void grantQuery(final IGrantable grantee, final ITable table, final String index) {
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(List.of("dynamodb:Query"))
                .resourceArns(List.of(table.getTableArn() + "/index/" + index))
                .build());
    }
}
