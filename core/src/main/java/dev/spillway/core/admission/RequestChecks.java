package dev.spillway.core.admission;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatRequestParser;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.auth.RateLimiter;
import dev.spillway.core.cache.CacheKeys;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.config.CacheConfig;
import dev.spillway.core.config.IntakeConfig;
import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.webhook.CallbackUrls;

/**
 * Everything a request must pass before any lane sees it, in an order that refuses cheap faults first: size, form,
 * callback, model permission, then the rate limit (the only check that spends something). A refused request
 * changes nothing.
 */
@ApplicationScoped
public class RequestChecks {

    private static final int DEFAULT_OUTPUT_ESTIMATE = 256;

    private final IntakeConfig intake;
    private final ChatRequestParser parser;
    private final CallbackUrls callbackUrls;
    private final RateLimiter rateLimiter;
    private final CacheConfig cache;

    public RequestChecks(IntakeConfig intake, ModelsConfig models, CallbackUrls callbackUrls, RateLimiter rateLimiter,
            CacheConfig cache) {
        this.intake = intake;
        this.parser = parserFor(models, intake.maxTokensLimit());
        this.callbackUrls = callbackUrls;
        this.rateLimiter = rateLimiter;
        this.cache = cache;
    }

    /**
     * The chat parser for this deployment's models: each refuses what its fleet engine cannot do, since the fleet is
     * every request's last resort (only {@code llamacpp} is narrower than the OpenAI API).
     */
    public static ChatRequestParser parserFor(ModelsConfig models, int maxTokensLimit) {
        Map<String, ModelsConfig.Model> served = models.served();
        return new ChatRequestParser(served::containsKey,
                model -> !served.containsKey(model) || !"llamacpp".equals(served.get(model).engine()),
                (model, kind) -> served.containsKey(model) && served.get(model).serves(kind), maxTokensLimit);
    }

    public CheckedRequest check(IntakeRequest submitted) {
        IdempotencyKeys.check(submitted.idempotencyKey());
        byte[] body = submitted.body();
        if (body != null && body.length > intake.maxBodyBytes()) {
            throw new ApiException(413, ApiException.INVALID_REQUEST, "request_too_large", null,
                    "The request body is " + body.length + " bytes; the limit is " + intake.maxBodyBytes() + ".", null);
        }
        ChatCompletionRequest request = parser.parse(submitted.kind(), body);
        String callback = callbackUrls.checkAtSubmission(submitted.callbackUrl(), submitted.callbackParam());
        CachePolicy policy = submitted.cachePolicy();
        if (callback != null) {
            // A request with a callback always becomes a job of its own, so the webhook has something to report.
            policy = new CachePolicy(false, policy.write(), policy.force());
        }
        if (!submitted.caller().allows(request.model())) {
            throw new ApiException(403, ApiException.PERMISSION, "model_not_allowed", "model",
                    "This API key may not use the model `" + request.model() + "`.", null);
        }
        rateLimiter.acquire(submitted.caller(), estimatedTokens(request));
        boolean cacheable = cache.enabled() && (request.isDeterministic() || policy.force());
        String cacheKey = cacheable ? CacheKeys.of(submitted.caller().tenant(), request) : null;
        return new CheckedRequest(submitted, request, submitted.caller().tierFor(submitted.tier()), policy, callback,
                cacheKey);
    }

    /** What a request may cost against a tokens-per-minute limit: about four characters a token, plus its output. */
    private static int estimatedTokens(ChatCompletionRequest request) {
        int output = request.kind() == RequestKind.EMBEDDING ? 0
                : request.maxTokens() != null ? request.maxTokens() : DEFAULT_OUTPUT_ESTIMATE;
        return (int) Math.min(Integer.MAX_VALUE, request.estimatedInputTokens() + output);
    }
}
