package dev.spillway.nativebuild;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.signature.SignatureReader;
import org.objectweb.asm.signature.SignatureVisitor;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.AnnotationNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.RecordComponentNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicInterpreter;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * The classes a native image must be able to reflect on because Spillway serializes them, derived from compiled
 * bytecode rather than listed by hand, so a new DTO is checked the day it appears.
 *
 * <p>A class is required when, in Spillway's own compiled code ({@code dev.spillway.*}):
 * <ul>
 * <li>it carries {@code @RegisterForReflection} (the annotation must really reach the image);</li>
 * <li>a JAX-RS resource method returns it or takes it as its body;</li>
 * <li>its value is handed to a JAX-RS response as the entity ({@code Response.ok(x)}, {@code builder.entity(x)}),
 * or to Jackson to write; the static type at that call is found by data-flow analysis of the method;</li>
 * <li>its class literal appears in a class that asks Jackson to read into a class
 * ({@code readValue(text, X.class)}, also through a private helper);</li>
 * <li>it is the type, or a type argument of the type, of a field or record component of a required class.</li>
 * </ul>
 * Interfaces, annotations, CDI beans and JAX-RS resources themselves are never required.
 */
final class SerializedTypes {

    static final String OWN_PACKAGE = "dev/spillway/";

    private static final String REGISTER_FOR_REFLECTION = "Lio/quarkus/runtime/annotations/RegisterForReflection;";
    private static final Set<String> HTTP_METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
            .stream().map(m -> "Ljakarta/ws/rs/" + m + ";").collect(java.util.stream.Collectors.toSet());
    private static final String PATH = "Ljakarta/ws/rs/Path;";
    /** Parameters with these annotations come from the URI or headers, not from the body. */
    private static final String NON_BODY_PARAM = "Ljakarta/ws/rs/(Path|Query|Header|Cookie|Form|Matrix|Bean)Param;"
            + "|Ljakarta/ws/rs/core/Context;|Lorg/jboss/resteasy/reactive/Rest[A-Za-z]*;";
    private static final List<String> BEAN_OR_RESOURCE = List.of("Ljakarta/enterprise/context/", "Ljakarta/inject/",
            "Ljakarta/ws/rs/Path;", "Ljakarta/ws/rs/ext/Provider;", "Ljakarta/annotation/Priority;",
            "Lio/quarkus/arc/");

    private static final Set<String> ENTITY_OWNERS = Set.of("jakarta/ws/rs/core/Response",
            "jakarta/ws/rs/core/Response$ResponseBuilder", "org/jboss/resteasy/reactive/RestResponse",
            "org/jboss/resteasy/reactive/RestResponse$ResponseBuilder");
    private static final Set<String> ENTITY_METHODS = Set.of("ok", "entity", "accepted", "fromValue");
    private static final Set<String> JACKSON_OWNERS = Set.of("com/fasterxml/jackson/databind/ObjectMapper",
            "com/fasterxml/jackson/databind/json/JsonMapper", "com/fasterxml/jackson/databind/ObjectWriter",
            "com/fasterxml/jackson/databind/ObjectReader");
    private static final Set<String> JACKSON_READS = Set.of("readValue", "readValues", "convertValue", "treeToValue",
            "readerFor", "forType");
    private static final Set<String> JACKSON_WRITES = Set.of("writeValueAsString", "writeValueAsBytes", "writeValue",
            "valueToTree");

    private final Map<String, ClassNode> classes;
    /** Required class (binary name, dots) → why, for the failure message. */
    private final Map<String, String> required = new TreeMap<>();

    private SerializedTypes(Map<String, ClassNode> classes) {
        this.classes = classes;
    }

    /** Derives the required classes from every {@code .class} file in the given directories and jars. */
    static Map<String, String> requiredIn(Collection<Path> classDirectoriesOrJars) {
        Map<String, ClassNode> classes = new HashMap<>();
        for (Path location : classDirectoriesOrJars) {
            try {
                if (Files.isDirectory(location)) {
                    try (Stream<Path> files = Files.walk(location)) {
                        for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                            try (InputStream in = Files.newInputStream(file)) {
                                add(classes, in);
                            }
                        }
                    }
                } else {
                    try (ZipFile jar = new ZipFile(location.toFile())) {
                        for (ZipEntry entry : Collections.list(jar.entries())) {
                            if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                                try (InputStream in = jar.getInputStream(entry)) {
                                    add(classes, in);
                                }
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read classes of " + location, e);
            }
        }
        SerializedTypes types = new SerializedTypes(classes);
        types.derive();
        return types.required;
    }

    private static void add(Map<String, ClassNode> classes, InputStream in) throws IOException {
        ClassNode node = new ClassNode();
        new ClassReader(in).accept(node, ClassReader.SKIP_FRAMES);
        classes.put(node.name, node);
    }

    private void derive() {
        Deque<String> pending = new ArrayDeque<>();
        for (ClassNode node : classes.values()) {
            if (has(node.visibleAnnotations, REGISTER_FOR_REFLECTION)) {
                require(node.name, "annotated @RegisterForReflection", pending);
            }
            boolean readsJson = false;
            for (MethodNode method : node.methods) {
                if (isResourceMethod(node, method)) {
                    resourceMethodTypes(node, method, pending);
                }
                readsJson |= callsJackson(method, JACKSON_READS);
                valuesHandedToSerializers(node, method, pending);
            }
            if (readsJson) {
                classLiterals(node, pending);
            }
        }
        while (!pending.isEmpty()) {
            ClassNode node = classes.get(pending.pop());
            for (RecordComponentNode component : nullSafe(node.recordComponents)) {
                referencedTypes(component.descriptor, component.signature).forEach(t -> require(t,
                        "component of " + binary(node.name), pending));
            }
            for (FieldNode field : node.fields) {
                if ((field.access & Opcodes.ACC_STATIC) == 0) {
                    referencedTypes(field.desc, field.signature).forEach(t -> require(t,
                            "field of " + binary(node.name), pending));
                }
            }
        }
    }

    private void require(String internalName, String why, Deque<String> pending) {
        ClassNode node = classes.get(internalName);
        if (node == null || !internalName.startsWith(OWN_PACKAGE)
                || (node.access & (Opcodes.ACC_INTERFACE | Opcodes.ACC_ANNOTATION)) != 0 || isBeanOrResource(node)) {
            return;
        }
        if (required.putIfAbsent(binary(internalName), why) == null) {
            pending.push(internalName);
        }
    }

    private boolean isResourceMethod(ClassNode owner, MethodNode method) {
        return nullSafe(method.visibleAnnotations).stream().anyMatch(a -> HTTP_METHODS.contains(a.desc))
                || (has(owner.visibleAnnotations, PATH) && has(method.visibleAnnotations, PATH));
    }

    private void resourceMethodTypes(ClassNode owner, MethodNode method, Deque<String> pending) {
        String where = "JAX-RS " + binary(owner.name) + "#" + method.name;
        Type returned = Type.getReturnType(method.desc);
        referencedTypes(returned.getDescriptor(), returnSignature(method.signature))
                .forEach(t -> require(t, "returned by " + where, pending));
        Type[] parameters = Type.getArgumentTypes(method.desc);
        for (int i = 0; i < parameters.length; i++) {
            List<AnnotationNode> annotations = method.visibleParameterAnnotations == null ? null
                    : method.visibleParameterAnnotations[i];
            boolean body = nullSafe(annotations).stream().noneMatch(a -> a.desc.matches(NON_BODY_PARAM));
            if (body) {
                referencedTypes(parameters[i].getDescriptor(), null)
                        .forEach(t -> require(t, "body of " + where, pending));
            }
        }
    }

    private static boolean callsJackson(MethodNode method, Set<String> names) {
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof MethodInsnNode call && JACKSON_OWNERS.contains(call.owner)
                    && names.contains(call.name)) {
                return true;
            }
        }
        return false;
    }

    /** Class literals of a class that reads JSON into classes: what it reads, directly or via a helper. */
    private void classLiterals(ClassNode node, Deque<String> pending) {
        for (MethodNode method : node.methods) {
            for (AbstractInsnNode insn : method.instructions) {
                if (insn instanceof LdcInsnNode ldc && ldc.cst instanceof Type type && type.getSort() == Type.OBJECT) {
                    require(type.getInternalName(), "read by Jackson in " + binary(node.name), pending);
                }
            }
        }
    }

    /** Static types of the values a method hands to a JAX-RS response entity or to a Jackson write. */
    private void valuesHandedToSerializers(ClassNode owner, MethodNode method, Deque<String> pending) {
        if ((method.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0 || !sendsAnything(method)) {
            return;
        }
        Frame<BasicValue>[] frames;
        try {
            frames = new Analyzer<>(new TypedInterpreter()).analyze(owner.name, method);
        } catch (AnalyzerException e) {
            throw new IllegalStateException("cannot analyse " + binary(owner.name) + "#" + method.name, e);
        }
        AbstractInsnNode[] insns = method.instructions.toArray();
        for (int i = 0; i < insns.length; i++) {
            if (!(insns[i] instanceof MethodInsnNode call) || frames[i] == null || !isSink(call)) {
                continue;
            }
            Type[] args = Type.getArgumentTypes(call.desc);
            int firstArg = frames[i].getStackSize() - args.length;
            for (int a = 0; a < args.length; a++) {
                if (args[a].getSort() == Type.OBJECT && args[a].getInternalName().equals("java/lang/Object")) {
                    Type actual = frames[i].getStack(firstArg + a).getType();
                    if (actual != null && actual.getSort() == Type.OBJECT) {
                        require(actual.getInternalName(), "sent as JSON by " + binary(owner.name) + "#" + method.name,
                                pending);
                    }
                }
            }
        }
    }

    private static boolean sendsAnything(MethodNode method) {
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof MethodInsnNode call && isSink(call)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSink(MethodInsnNode call) {
        return (ENTITY_OWNERS.contains(call.owner) && ENTITY_METHODS.contains(call.name))
                || (JACKSON_OWNERS.contains(call.owner) && JACKSON_WRITES.contains(call.name));
    }

    private boolean isBeanOrResource(ClassNode node) {
        return nullSafe(node.visibleAnnotations).stream()
                .anyMatch(a -> BEAN_OR_RESOURCE.stream().anyMatch(a.desc::startsWith));
    }

    /** Own classes named by a descriptor and, when present, its generic signature (type arguments included). */
    private static Set<String> referencedTypes(String descriptor, String signature) {
        Set<String> names = new java.util.HashSet<>();
        Type type = Type.getType(descriptor);
        while (type.getSort() == Type.ARRAY) {
            type = type.getElementType();
        }
        if (type.getSort() == Type.OBJECT) {
            names.add(type.getInternalName());
        }
        if (signature != null) {
            new SignatureReader(signature).acceptType(new SignatureVisitor(Opcodes.ASM9) {
                @Override
                public void visitClassType(String name) {
                    names.add(name);
                }

                @Override
                public void visitInnerClassType(String name) {
                    // Inner class names in signatures are relative; the outer name was already visited.
                }
            });
        }
        names.removeIf(n -> !n.startsWith(OWN_PACKAGE));
        return names;
    }

    private static String returnSignature(String methodSignature) {
        if (methodSignature == null) {
            return null;
        }
        return methodSignature.substring(methodSignature.lastIndexOf(')') + 1).split("\\^")[0];
    }

    private static boolean has(List<AnnotationNode> annotations, String desc) {
        return nullSafe(annotations).stream().anyMatch(a -> a.desc.equals(desc));
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }

    static String binary(String internalName) {
        return internalName.replace('/', '.');
    }

    /** {@link BasicInterpreter} that keeps the static type of references instead of collapsing them. */
    private static final class TypedInterpreter extends BasicInterpreter {

        TypedInterpreter() {
            super(Opcodes.ASM9);
        }

        @Override
        public BasicValue newValue(Type type) {
            if (type != null && (type.getSort() == Type.OBJECT || type.getSort() == Type.ARRAY)) {
                return new BasicValue(type);
            }
            return super.newValue(type);
        }

        @Override
        public BasicValue merge(BasicValue a, BasicValue b) {
            if (a.equals(b)) {
                return a;
            }
            if (a.isReference() && b.isReference()) {
                return BasicValue.REFERENCE_VALUE;
            }
            return super.merge(a, b);
        }
    }
}
