package dev.spillway.infra;

import java.util.Map;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.Stack;

/**
 * The whole app as {@code SpillwayApp.main} builds it (default context, cdk-nag applied), assembled once per
 * test JVM: synthesis through jsii takes seconds, so stack tests share it instead of rebuilding it.
 *
 * <p>One context key differs from the defaults: {@code workerContext} points at a folder that never exists, so
 * the templates are the same whether or not {@code gpu-backend} has been packaged in this checkout (the worker
 * image is the placeholder). {@code WorkerImageTest} covers the built-worker variant.
 */
public final class DeployedApp {

    /** Where no gpu-backend build ever is. */
    public static final String NO_WORKER_BUILD = "target/no-worker-build";

    private static SpillwayApp.Stacks stacks;

    private DeployedApp() {
    }

    public static synchronized SpillwayApp.Stacks stacks() {
        if (stacks == null) {
            App app = SpillwayApp.newApp(Map.of("workerContext", NO_WORKER_BUILD));
            stacks = SpillwayApp.assemble(app);
            Aspects.of(app).add(new AwsSolutionsChecks());
        }
        return stacks;
    }

    public static Template template(final Stack stack) {
        return Template.fromStack(stack);
    }
}
