package dev.spillway.infra.api;

import java.util.LinkedHashMap;
import java.util.Map;

import software.amazon.awscdk.Aws;

/**
 * The AWS Lambda Web Adapter (awslabs, Apache-2.0) in front of a plain HTTP app: Lambda starts the adapter's extension
 * from its layer, the adapter waits until the app answers on {@code port}, then turns each invocation into an HTTP
 * request to it and, in {@code response_stream} mode, writes the app's answer back through the Runtime API's
 * streaming mode as it arrives (the JSON prelude, eight NUL bytes, the body): what a REST API integration in
 * {@code STREAM} transfer mode reads. Quarkus' own Lambda extensions buffer every answer, hence the adapter.
 *
 * <p>On the java21 runtime the adapter's exec wrapper ({@code /opt/bootstrap}) runs the handler, {@code run.sh} at the
 * root of the function's zip, instead of Lambda's Java runtime client. On provided.al2023 the zip's {@code bootstrap}
 * (the native app) is the runtime Lambda starts, and the layer's extension does the rest: no wrapper.
 *
 * @param layerVersion version of the adapter's public layer ({@code LambdaAdapterLayerX86}); 27 is adapter 1.0.0
 * @param streaming    {@code response_stream} (the function must be invoked with InvokeWithResponseStream) rather
 *                     than {@code buffered}
 * @param port         where the app listens on loopback ({@code quarkus.http.port} of functions/intake-lambda)
 * @param readinessPath what the adapter polls until the app answers below 500, before the first invocation
 */
public record WebAdapter(int layerVersion, boolean streaming, int port, String readinessPath) {

    /** The account that publishes the adapter's layers in the commercial regions. */
    public static final String LAYER_ACCOUNT = "753240598075";
    /** Adapter 1.0.0 (2026-03). Later versions bridge SnapStart's checkpoint and restore to the app over HTTP. */
    public static final int LAYER_VERSION = 27;
    /** The startup script the exec wrapper runs on managed runtimes (functions/intake-lambda/src/main/lambda). */
    public static final String JVM_HANDLER = "run.sh";
    public static final String EXEC_WRAPPER = "/opt/bootstrap";
    public static final String INVOKE_MODE = "AWS_LWA_INVOKE_MODE";
    public static final String RESPONSE_STREAM = "response_stream";

    /** The intake: streaming, on Quarkus' default port, ready once it answers anything at all. */
    public static WebAdapter streamingIntake(final int layerVersion) {
        return new WebAdapter(layerVersion, true, 8080, "/");
    }

    /** The x86_64 layer in the stack's region. */
    public String layerArn() {
        return "arn:" + Aws.PARTITION + ":lambda:" + Aws.REGION + ":" + LAYER_ACCOUNT + ":layer:LambdaAdapterLayerX86:"
                + layerVersion;
    }

    /** The adapter's settings; with a JVM app also the wrapper that makes the handler script the runtime. */
    public Map<String, String> environment(final boolean nativeImage) {
        Map<String, String> env = new LinkedHashMap<>();
        if (!nativeImage) {
            env.put("AWS_LAMBDA_EXEC_WRAPPER", EXEC_WRAPPER);
        }
        env.put(INVOKE_MODE, streaming ? RESPONSE_STREAM : "buffered");
        env.put("AWS_LWA_PORT", String.valueOf(port));
        env.put("AWS_LWA_READINESS_CHECK_PATH", readinessPath);
        return env;
    }
}
