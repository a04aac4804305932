package dev.spillway.infra.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.infra.network.NetworkStack;
import dev.spillway.infra.runtime.RuntimeEnvironment;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.LayerVersion;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * A Quarkus app as a Lambda function ({@code Resource}) with a {@code live} alias on its current version, which every
 * trigger invokes: the intake, a plain Quarkus HTTP app behind the Lambda Web Adapter ({@link WebAdapter}, its layer
 * and settings), or one handler of the event-source app on {@code quarkus-amazon-lambda}. The JVM build runs on
 * Java 21 with SnapStart on published versions; the native build runs {@code bootstrap} on provided.al2023.
 *
 * <p>When the artifact is missing (CI synthesizes without building the functions) a placeholder asset is
 * used so that synthesis still works; a warning says so, and with {@code requireArtifacts} synthesis fails
 * instead. A placeholder function cannot serve: its handler class does not exist.
 */
public final class QuarkusFunction extends Construct {

    public static final String JVM_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
    public static final String NATIVE_HANDLER = "not.used.in.provided.runtime";
    public static final String ALIAS_NAME = "live";

    private final Function function;
    private final Alias alias;
    private final boolean placeholder;
    private final String handlerName;

    public QuarkusFunction(final Construct scope, final String id, final QuarkusFunctionProps props) {
        super(scope, id);

        this.placeholder = !Files.isRegularFile(props.artifact());
        this.handlerName = props.handlerName() == null ? "intake" : props.handlerName();
        Code code;
        if (placeholder) {
            code = Code.fromAsset(placeholderAsset().toString());
            Annotations.of(this).addWarning("Function artifact " + props.artifact().toAbsolutePath().normalize()
                    + " not found: synthesizing with a PLACEHOLDER that cannot serve requests. Build the functions"
                    + " module first (and deploy with -c requireArtifacts=true).");
            if (props.requireArtifacts()) {
                getNode().addValidation(() -> List.of("requireArtifacts=true but the function artifact "
                        + props.artifact() + " does not exist; build it or point context 'functionZip' at it"));
            }
        } else {
            code = Code.fromAsset(props.artifact().toString());
        }

        Map<String, String> environment = new LinkedHashMap<>(props.environment());
        if (props.nativeImage()) {
            environment.put("DISABLE_SIGNAL_HANDLERS", "true");
        }
        if (props.handlerName() != null) {
            environment.put(RuntimeEnvironment.LAMBDA_HANDLER, props.handlerName());
        }
        WebAdapter adapter = props.webAdapter();
        if (adapter != null) {
            environment.putAll(adapter.environment(props.nativeImage()));
        }
        String handler = props.nativeImage() ? NATIVE_HANDLER
                : adapter != null ? WebAdapter.JVM_HANDLER : JVM_HANDLER;

        LogGroup logs = LogGroup.Builder.create(this, "Logs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();

        Function.Builder builder = Function.Builder.create(this, "Resource")
                .description(props.description() + " (" + (props.nativeImage() ? "native" : "JVM") + ")")
                .runtime(props.nativeImage() ? Runtime.PROVIDED_AL2023 : Runtime.JAVA_21)
                .handler(handler)
                .architecture(Architecture.X86_64)
                .code(code)
                .memorySize(props.memorySizeMb())
                .timeout(Duration.seconds(props.timeoutSeconds()))
                .environment(environment)
                .vpc(props.vpc())
                .vpcSubnets(NetworkStack.workloadSubnets())
                .securityGroups(List.of(props.securityGroup()))
                .logGroup(logs)
                .tracing(props.tracing() ? Tracing.ACTIVE : Tracing.DISABLED)
                .reservedConcurrentExecutions(props.reservedConcurrency());
        if (adapter != null) {
            builder.layers(List.of(LayerVersion.fromLayerVersionArn(this, "WebAdapterLayer", adapter.layerArn())));
        }
        if (!props.nativeImage()) {
            builder.snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS);
        }
        this.function = builder.build();
        if (!props.nativeImage()) {
            Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                    "Every deployment publishes a version (currentVersion) behind the live alias.");
        }
        this.alias = Alias.Builder.create(this, "Live")
                .aliasName(ALIAS_NAME)
                .version(function.getCurrentVersion())
                .build();
    }

    /** A directory holding one text file: enough for an asset hash, never a working function. */
    private static Path placeholderAsset() {
        try {
            Path dir = Files.createTempDirectory("spillway-placeholder-function");
            Files.writeString(dir.resolve("PLACEHOLDER.txt"),
                    "Synthesis-only placeholder: build the functions (mvn package) before deploying.\n",
                    StandardCharsets.UTF_8);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The unqualified function: grants and metrics across all versions. */
    public Function function() {
        return function;
    }

    /** The alias every trigger invokes (a published version, so SnapStart applies). */
    public IFunction alias() {
        return alias;
    }

    /** The {@code @Named} handler it runs; {@code intake} for the HTTP intake. */
    public String handlerName() {
        return handlerName;
    }

    public boolean isPlaceholder() {
        return placeholder;
    }
}
