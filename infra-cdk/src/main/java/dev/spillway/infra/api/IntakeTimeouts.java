package dev.spillway.infra.api;

import java.util.ArrayList;
import java.util.List;

/**
 * The time limits around one intake request, which must nest so that a request the intake accepted is always
 * answered by the intake (200, or 202 with its job) and never cut off by API Gateway with a 5xx:
 *
 * <pre>
 *   restore + SDK calls outside the wait + max wait  &lt;  min(integration timeout, Lambda timeout)
 * </pre>
 *
 * <p>The wait budget starts once the caller is authenticated, and the job's last read happens after it ends: the
 * API-key lookup before it and that read after it are DynamoDB calls, each bounded by the SDK's API call timeout
 * ({@code quarkus.dynamodb.api-call-timeout}). The SQS send and the job write happen inside the budget. A SnapStart
 * restore (or a native cold start) comes first.
 *
 * @param integrationTimeoutSec API Gateway's limit on the intake integration (REST API: 29 s unless raised)
 * @param lambdaTimeoutSec      the intake function's timeout
 * @param restoreAllowanceSec   what a SnapStart restore may take before the handler runs
 * @param dynamoCallTimeoutSec  {@code quarkus.dynamodb.api-call-timeout}
 * @param sqsCallTimeoutSec     {@code quarkus.sqs.api-call-timeout}
 * @param maxWaitSec            {@code spillway.intake.max-wait}
 * @param defaultWaitSec        {@code spillway.intake.default-wait}
 */
public record IntakeTimeouts(int integrationTimeoutSec, int lambdaTimeoutSec, int restoreAllowanceSec,
                             int dynamoCallTimeoutSec, int sqsCallTimeoutSec, int maxWaitSec, int defaultWaitSec) {

    /** REST API integrations end at 29 s unless a quota increase is granted. */
    public static final int INTEGRATION_TIMEOUT_SECONDS = 29;
    /**
     * SnapStart restores of JVM functions this size are reported in the hundreds of milliseconds; 2 s leaves room for
     * Quarkus' after-restore hooks. Check the {@code Restore Duration} of the intake's REPORT lines after a deploy.
     */
    public static final int RESTORE_ALLOWANCE_SECONDS = 2;
    public static final int DYNAMODB_CALL_TIMEOUT_SECONDS = 3;
    public static final int SQS_CALL_TIMEOUT_SECONDS = 3;
    /** 29 - (2 + 2 x 3) = 21: the largest whole-second budget below it. */
    public static final int DEFAULT_MAX_WAIT_SECONDS = 20;

    /** The defaults of this deployment with the given wait budgets. */
    public static IntakeTimeouts withWaits(final int maxWaitSec, final int defaultWaitSec) {
        return new IntakeTimeouts(INTEGRATION_TIMEOUT_SECONDS, INTEGRATION_TIMEOUT_SECONDS, RESTORE_ALLOWANCE_SECONDS,
                DYNAMODB_CALL_TIMEOUT_SECONDS, SQS_CALL_TIMEOUT_SECONDS, maxWaitSec, defaultWaitSec);
    }

    /** What a request can spend outside its wait budget: the restore, the key lookup and the job's last read. */
    public int outsideTheWaitSec() {
        return restoreAllowanceSec + 2 * dynamoCallTimeoutSec;
    }

    /** What does not nest, each as one sentence; empty when every accepted request is answered by the intake. */
    public List<String> validate() {
        List<String> errors = new ArrayList<>();
        int limit = Math.min(integrationTimeoutSec, lambdaTimeoutSec);
        if (maxWaitSec + outsideTheWaitSec() >= limit) {
            errors.add("maxWaitSeconds " + maxWaitSec + " does not nest: restore " + restoreAllowanceSec
                    + " s + two DynamoDB calls of up to " + dynamoCallTimeoutSec + " s + the wait reach "
                    + (maxWaitSec + outsideTheWaitSec()) + " s, not below the " + limit + " s after which API Gateway "
                    + "or Lambda ends the request with a 5xx; the largest wait that nests is "
                    + (limit - outsideTheWaitSec() - 1) + " s");
        }
        if (defaultWaitSec > maxWaitSec || defaultWaitSec < 0) {
            errors.add("defaultWaitSeconds " + defaultWaitSec + " must be between 0 and maxWaitSeconds " + maxWaitSec);
        }
        if (sqsCallTimeoutSec >= maxWaitSec && maxWaitSec > 0) {
            errors.add("the SQS call timeout (" + sqsCallTimeoutSec + " s) must be shorter than the wait budget");
        }
        return errors;
    }
}
