package dev.spillway.infra.guardrails;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import software.amazon.awscdk.IAspect;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.CfnTable;
import software.amazon.awscdk.services.ecs.CfnTaskDefinition;
import software.amazon.awscdk.services.iam.CfnManagedPolicy;
import software.amazon.awscdk.services.iam.CfnPolicy;
import software.amazon.awscdk.services.iam.CfnRole;
import software.amazon.awscdk.services.lambda.CfnFunction;
import software.constructs.IConstruct;

/**
 * Rules a production deployment must keep, checked on every resource of the app; a breach fails synthesis (and so
 * {@code cdk deploy} and {@code mvn verify}) with the resource's path and the rule it breaks:
 * <ul>
 *   <li>every Lambda function reserves concurrency, so no function can starve another (CDK's own deploy-time
 *       handlers, which are not {@link CfnFunction}s and never serve traffic, are out of scope);</li>
 *   <li>every DynamoDB table has deletion protection;</li>
 *   <li>no IAM statement grants an action on data (items, objects, messages, secret values, decryption) on every
 *       resource ({@code "*"});</li>
 *   <li>no IAM statement grants {@code dynamodb:Scan} (or every DynamoDB action): every read Spillway makes is by key
 *       or by an index, and a Scan reads every tenant's items;</li>
 *   <li>no secret travels in an environment variable of a function or a container: no dynamic reference to Secrets
 *       Manager or a SecureString parameter, and no variable named like a secret (pass its ARN, read it at run
 *       time).</li>
 * </ul>
 */
public final class ProductionGuardrails implements IAspect {

    /** Actions that read or change data, or unlock it. */
    static final Pattern DATA_ACTION = Pattern.compile("\\*|"
            + "dynamodb:(\\*|.*Item.*|Query|Scan|PartiQL.*|GetRecords|GetShardIterator|ExportTableToPointInTime)|"
            + "s3:(\\*|.*Object.*|ListBucket.*)|"
            + "sqs:(\\*|SendMessage.*|ReceiveMessage|DeleteMessage.*|ChangeMessageVisibility.*|PurgeQueue)|"
            + "secretsmanager:(\\*|GetSecretValue)|ssm:(\\*|GetParameter.*)|kms:(\\*|Decrypt|GenerateDataKey.*)");
    /** Actions that include a table Scan. */
    static final Pattern SCAN = Pattern.compile("\\*|dynamodb:(\\*|Scan)");
    /** Variable names that hold secrets; an ARN, name or id of one is fine. */
    static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIALS?)(_VALUE)?");
    static final List<String> SECRET_REFERENCES = List.of("{{resolve:secretsmanager:", "{{resolve:ssm-secure:");

    @Override
    public void visit(final IConstruct node) {
        List<String> breaches = new ArrayList<>();
        if (node instanceof CfnFunction function) {
            if (function.getReservedConcurrentExecutions() == null) {
                breaches.add("has no reserved concurrency: set one, so it can neither starve nor be starved by the "
                        + "other functions (docs/runbook.md, concurrency budget)");
            }
            if (function.getEnvironment() != null) {
                Object variables = field(resolved(node, function.getEnvironment()), "Variables");
                if (variables instanceof Map<?, ?> vars) {
                    vars.forEach((name, value) -> secretInEnvironment(String.valueOf(name), value, breaches));
                }
            }
        } else if (node instanceof CfnTable table) {
            Object protection = resolved(node, table.getDeletionProtectionEnabled());
            if (!Boolean.TRUE.equals(protection)) {
                breaches.add("has no deletion protection: a mistaken delete or stack replacement would lose it");
            }
        } else if (node instanceof CfnPolicy policy) {
            starOnData(resolved(node, policy.getPolicyDocument()), breaches);
        } else if (node instanceof CfnManagedPolicy policy) {
            starOnData(resolved(node, policy.getPolicyDocument()), breaches);
        } else if (node instanceof CfnRole role && role.getPolicies() != null) {
            Object policies = resolved(node, role.getPolicies());
            if (policies instanceof List<?> list) {
                for (Object item : list) {
                    starOnData(field(item, "PolicyDocument"), breaches);
                }
            }
        } else if (node instanceof CfnTaskDefinition task) {
            Object containers = resolved(node, task.getContainerDefinitions());
            if (containers instanceof List<?> list) {
                for (Object container : list) {
                    if (field(container, "Environment") instanceof List<?> env) {
                        for (Object variable : env) {
                            secretInEnvironment(String.valueOf(field(variable, "Name")), field(variable, "Value"),
                                    breaches);
                        }
                    }
                }
            }
        }
        if (!breaches.isEmpty()) {
            List<String> messages = breaches.stream().map(breach -> "Spillway guardrail: " + breach).toList();
            node.getNode().addValidation(() -> messages);
        }
    }

    private static Object resolved(final IConstruct node, final Object value) {
        return value == null ? null : Stack.of(node).resolve(value);
    }

    /**
     * A property of a resolved L1 value: CloudFormation's spelling ({@code Variables}) where the value rendered
     * itself, the L1 struct's ({@code variables}) where an L2 handed the struct over as it is.
     */
    private static Object field(final Object value, final String name) {
        if (!(value instanceof Map<?, ?> map)) {
            return null;
        }
        Object cloudFormation = map.get(name);
        return cloudFormation != null ? cloudFormation
                : map.get(Character.toLowerCase(name.charAt(0)) + name.substring(1));
    }

    static void secretInEnvironment(final String name, final Object value, final List<String> breaches) {
        String text = String.valueOf(value);
        if (SECRET_REFERENCES.stream().anyMatch(text::contains)) {
            breaches.add("puts a secret into environment variable " + name + ": pass the secret's ARN and read it "
                    + "at run time");
        } else if (SECRET_NAME.matcher(name).matches()) {
            breaches.add("has environment variable " + name + ", named like a secret: pass the secret's ARN "
                    + "(e.g. " + name + "_ARN) and read it at run time");
        }
    }

    static void starOnData(final Object document, final List<String> breaches) {
        if (!(document instanceof Map<?, ?> policy) || !(policy.get("Statement") instanceof List<?> statements)) {
            return;
        }
        for (Object item : statements) {
            if (!(item instanceof Map<?, ?> statement) || !"Allow".equals(statement.get("Effect"))) {
                continue;
            }
            for (Object action : asList(statement.get("Action"))) {
                if (SCAN.matcher(String.valueOf(action)).matches()) {
                    breaches.add("grants " + action + ": read by key or Query an index (a Scan reads every tenant's "
                            + "items)");
                }
            }
            if (!asList(statement.get("Resource")).contains("*")) {
                continue;
            }
            for (Object action : asList(statement.get("Action"))) {
                if (DATA_ACTION.matcher(String.valueOf(action)).matches()) {
                    breaches.add("grants " + action + " on every resource (\"*\"): name the tables, buckets, queues "
                            + "or secrets it needs");
                }
            }
        }
    }

    private static List<?> asList(final Object value) {
        if (value == null) {
            return List.of();
        }
        return value instanceof List<?> list ? list : List.of(value);
    }
}
