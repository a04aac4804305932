package dev.spillway.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import software.amazon.awscdk.assertions.Template;

/** What a role may do, read from the {@code AWS::IAM::Policy} resources of a synthesized template. */
public final class Policies {

    private Policies() {
    }

    /** The policies attached to roles whose logical id contains {@code role}, each as its template text. */
    public static List<String> of(final Template template, final String role) {
        return statementsOf(template, role).stream().map(String::valueOf).toList();
    }

    /** Every action an Allow statement of {@code role}'s policies grants on a resource mentioning {@code resource}. */
    public static List<String> actionsOf(final Template template, final String role, final String resource) {
        List<String> actions = new ArrayList<>();
        for (Map<String, Object> statement : statementsOf(template, role)) {
            if ("Allow".equals(statement.get("Effect")) && String.valueOf(statement.get("Resource")).contains(resource)) {
                actions.addAll(asStrings(statement.get("Action")));
            }
        }
        return actions;
    }

    /** The resources (each as text) of {@code role}'s Allow statements that grant {@code action}. */
    public static List<String> resourcesOf(final Template template, final String role, final String action) {
        List<String> resources = new ArrayList<>();
        for (Map<String, Object> statement : statementsOf(template, role)) {
            if ("Allow".equals(statement.get("Effect")) && asStrings(statement.get("Action")).contains(action)) {
                Object resource = statement.get("Resource");
                if (resource instanceof List<?> list) {
                    list.forEach(item -> resources.add(String.valueOf(item)));
                } else {
                    resources.add(String.valueOf(resource));
                }
            }
        }
        return resources;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statementsOf(final Template template, final String role) {
        List<Map<String, Object>> statements = new ArrayList<>();
        template.findResources("AWS::IAM::Policy").values().forEach(policy -> {
            Map<String, Object> properties = (Map<String, Object>) ((Map<String, Object>) policy).get("Properties");
            if (!String.valueOf(properties.get("Roles")).contains(role)) {
                return;
            }
            Map<String, Object> document = (Map<String, Object>) properties.get("PolicyDocument");
            for (Object statement : (List<Object>) document.get("Statement")) {
                statements.add((Map<String, Object>) statement);
            }
        });
        return statements;
    }

    private static List<String> asStrings(final Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return value == null ? List.of() : List.of(String.valueOf(value));
    }
}
