package dev.spillway.infra.api;

import java.util.ArrayList;
import java.util.List;

/**
 * The time limits around one intake request. The REST API streams the intake's answers (integration transfer mode
 * {@code STREAM}), so one invocation may outlive the 29 s of a buffered integration: a streamed chat completion holds
 * its Lambda instance until the last chunk. Three rules:
 *
 * <pre>
 *   restore + SDK calls outside the wait + max wait  &lt;  min(integration timeout, Lambda timeout)
 *   Lambda timeout  &lt;=  integration timeout  &lt;=  15 min
 * </pre>
 *
 * <p>The first keeps a request the intake accepted answered by the intake (200, 202 with its job, or for a stream
 * the event naming the job to poll) and never cut off by API Gateway or Lambda with a 5xx: the wait budget starts
 * once the caller is authenticated, and the job's last read happens after it ends; the API-key lookup before it and
 * that read after it are DynamoDB calls, each bounded by the SDK's API call timeout
 * ({@code quarkus.dynamodb.api-call-timeout}). The SQS send and the job write happen inside the budget. A SnapStart
 * restore (or a native cold start) comes first. The second bounds every stream by the Lambda timeout, so a function
 * never runs on (and holds its reserved concurrency) after API Gateway has closed the stream; 15 minutes is the most
 * either allows. Not checked here, because it is the intake's own setting: a stream must send something (a chunk or
 * an SSE comment) at least every 5 minutes, API Gateway's idle limit on regional endpoints.
 *
 * @param integrationTimeoutSec API Gateway's limit on the intake integration (STREAM: up to 900 s)
 * @param lambdaTimeoutSec      the intake function's timeout: the longest a streamed answer may run
 * @param restoreAllowanceSec   what a SnapStart restore may take before the handler runs
 * @param dynamoCallTimeoutSec  {@code quarkus.dynamodb.api-call-timeout}
 * @param sqsCallTimeoutSec     {@code quarkus.sqs.api-call-timeout}
 * @param maxWaitSec            {@code spillway.intake.max-wait}
 * @param defaultWaitSec        {@code spillway.intake.default-wait}
 */
public record IntakeTimeouts(int integrationTimeoutSec, int lambdaTimeoutSec, int restoreAllowanceSec,
                             int dynamoCallTimeoutSec, int sqsCallTimeoutSec, int maxWaitSec, int defaultWaitSec) {

    /** The longest integration a streaming REST API allows, and the longest a Lambda invocation runs. */
    public static final int MAX_STREAM_SECONDS = 900;
    /**
     * The longest one streamed answer may run by default: 20 s waiting for the first token, then about 100 s of
     * tokens. Every second of it is a second of reserved concurrency (see {@link ConcurrencyBudget}).
     */
    public static final int DEFAULT_STREAM_SECONDS = 120;
    /**
     * SnapStart restores of JVM functions this size are reported in the hundreds of milliseconds; 2 s leaves room for
     * the Web Adapter's readiness check of the restored app. Check the {@code Restore Duration} of the intake's REPORT
     * lines after a deploy.
     */
    public static final int RESTORE_ALLOWANCE_SECONDS = 2;
    public static final int DYNAMODB_CALL_TIMEOUT_SECONDS = 3;
    public static final int SQS_CALL_TIMEOUT_SECONDS = 3;
    /**
     * Waiting is what the concurrency budget pays for most, and what clients of a buffered answer sit through: 20 s,
     * as before the API streamed, though the streaming limit would let the wait nest up to {@code stream - 9 s}.
     */
    public static final int DEFAULT_MAX_WAIT_SECONDS = 20;

    /** This deployment's limits: streams end after {@code streamSec}, the integration and the function alike. */
    public static IntakeTimeouts of(final int streamSec, final int maxWaitSec, final int defaultWaitSec) {
        return new IntakeTimeouts(streamSec, streamSec, RESTORE_ALLOWANCE_SECONDS, DYNAMODB_CALL_TIMEOUT_SECONDS,
                SQS_CALL_TIMEOUT_SECONDS, maxWaitSec, defaultWaitSec);
    }

    /** The defaults of this deployment with the given wait budgets. */
    public static IntakeTimeouts withWaits(final int maxWaitSec, final int defaultWaitSec) {
        return of(DEFAULT_STREAM_SECONDS, maxWaitSec, defaultWaitSec);
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
        if (lambdaTimeoutSec > integrationTimeoutSec) {
            errors.add("the intake's Lambda timeout (" + lambdaTimeoutSec + " s) is longer than the integration "
                    + "timeout (" + integrationTimeoutSec + " s): a stream API Gateway has closed would keep its "
                    + "function running, and its reserved concurrency held");
        }
        if (integrationTimeoutSec > MAX_STREAM_SECONDS || lambdaTimeoutSec > MAX_STREAM_SECONDS) {
            errors.add("maxStreamSeconds " + Math.max(integrationTimeoutSec, lambdaTimeoutSec) + " is over "
                    + MAX_STREAM_SECONDS + " s, the longest a streamed integration or a Lambda invocation runs");
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
