package dev.spillway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import org.junit.jupiter.api.Test;

/**
 * Adapters live below the packages that define their ports, and the front door above the domain: no package of
 * core or the intake may depend on one that depends back on it. Reads the compiled classes with the JDK's jdeps.
 */
class PackageCyclesTest {

    private static final Pattern EDGE = Pattern.compile("^\\s+(dev\\.spillway\\S*)\\s+->\\s+(dev\\.spillway\\S*)");

    @Test
    void coreAndIntakePackages_formNoCycle() {
        Path intake = Path.of("target/classes");
        Path core = Path.of("../../core/target/classes");
        assertThat(intake).isDirectory();
        assertThat(core).isDirectory();

        Map<String, Set<String>> dependsOn = packageDependencies(core, intake);

        assertThat(dependsOn).as("packages read").containsKeys("dev.spillway.core.job", "dev.spillway.intake.api");
        assertThat(cycles(dependsOn)).as("package cycles").isEmpty();
    }

    private static Map<String, Set<String>> packageDependencies(Path... classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        Map<String, Set<String>> dependsOn = new TreeMap<>();
        String classPath = String.join(java.io.File.pathSeparator, List.of(classes).stream().map(Path::toString)
                .toList());
        for (Path dir : classes) {
            StringWriter out = new StringWriter();
            int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-filter:none",
                    "-cp", classPath, dir.toString());
            assertThat(status).as(out.toString()).isZero();
            for (String line : out.toString().split("\n")) {
                Matcher edge = EDGE.matcher(line);
                if (edge.find() && !edge.group(1).equals(edge.group(2))) {
                    dependsOn.computeIfAbsent(edge.group(1), p -> new TreeSet<>()).add(edge.group(2));
                }
            }
        }
        return dependsOn;
    }

    /** Strongly connected components of more than one package (Tarjan). */
    private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> found = new ArrayList<>();
        for (String node : graph.keySet()) {
            if (!index.containsKey(node)) {
                connect(node, graph, index, low, stack, onStack, found);
            }
        }
        return found;
    }

    private static void connect(String node, Map<String, Set<String>> graph, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> found) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        onStack.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, onStack, found);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }
}
