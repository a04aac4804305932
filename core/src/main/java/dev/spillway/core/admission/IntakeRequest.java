package dev.spillway.core.admission;

import java.time.Duration;

import dev.spillway.core.api.RequestKind;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.job.Tier;

/**
 * A request as it reached Spillway, from the HTTP front door or an ingest queue.
 *
 * @param body the request body as the client sent it
 * @param tier the tier asked for; the caller's key may cap it
 * @param idempotencyKey the client's {@code Idempotency-Key}, or null; a retry with the same key and request gets
 *        the original job back instead of a copy
 * @param waitBudget how long the caller waits for the answer; zero means it does not wait (never answered direct)
 * @param callbackUrl where the job view is POSTed once the job is final, or null
 * @param callbackParam the name the client gave the callback URL, for an error's {@code param}
 * @param kind the endpoint it was sent to
 */
public record IntakeRequest(Caller caller, byte[] body, CachePolicy cachePolicy, Tier tier, String idempotencyKey,
        Duration waitBudget, String callbackUrl, String callbackParam, RequestKind kind) {

    public IntakeRequest {
        waitBudget = waitBudget == null || waitBudget.isNegative() ? Duration.ZERO : waitBudget;
        kind = kind == null ? RequestKind.CHAT : kind;
    }

    /** A chat-completions request. */
    public IntakeRequest(Caller caller, byte[] body, CachePolicy cachePolicy, Tier tier, String idempotencyKey,
            Duration waitBudget, String callbackUrl, String callbackParam) {
        this(caller, body, cachePolicy, tier, idempotencyKey, waitBudget, callbackUrl, callbackParam,
                RequestKind.CHAT);
    }

    /** A request whose caller does not wait and names no callback. */
    public static IntakeRequest noWait(Caller caller, byte[] body, CachePolicy cachePolicy, Tier tier,
            String idempotencyKey) {
        return new IntakeRequest(caller, body, cachePolicy, tier, idempotencyKey, Duration.ZERO, null, null);
    }

    public boolean callerWaits() {
        return !waitBudget.isZero();
    }
}
