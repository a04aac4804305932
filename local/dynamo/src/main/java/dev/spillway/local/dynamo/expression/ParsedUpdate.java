package dev.spillway.local.dynamo.expression;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.spillway.local.dynamo.value.AttributeValue;

/** An update expression's actions, in the order written. */
final class ParsedUpdate implements Update {

    private final List<UpdateAction> actions;
    private final List<DocumentPath> paths;
    private final Set<String> topLevelAttributes;
    private final Set<String> nestedAttributes;

    ParsedUpdate(List<UpdateAction> actions) {
        this.actions = List.copyOf(actions);
        this.paths = actions.stream().map(UpdateAction::path).toList();
        Set<String> heads = new LinkedHashSet<>();
        paths.forEach(path -> heads.add(path.head()));
        this.topLevelAttributes = Collections.unmodifiableSet(heads);
        Set<String> nested = new LinkedHashSet<>();
        paths.stream().filter(DocumentPath::isNested).forEach(path -> nested.add(path.head()));
        this.nestedAttributes = Collections.unmodifiableSet(nested);
    }

    @Override
    public Map<String, AttributeValue> apply(Map<String, AttributeValue> item) {
        // Every SET value reads the item as it was before the update, whatever the order of the actions.
        List<AttributeValue> setValues = new ArrayList<>(actions.size());
        for (UpdateAction action : actions) {
            setValues.add(action.type() == UpdateAction.Type.SET ? action.value().evaluate(item) : null);
        }
        WorkingItem working = new WorkingItem(item);
        for (int i = 0; i < actions.size(); i++) {
            actions.get(i).apply(working, setValues.get(i));
        }
        return working.toItem();
    }

    @Override
    public Set<String> topLevelAttributes() {
        return topLevelAttributes;
    }

    @Override
    public Set<String> nestedAttributes() {
        return nestedAttributes;
    }

    @Override
    public Optional<String> staticTypeOf(String attribute) {
        for (UpdateAction action : actions) {
            if (!action.path().isNested() && action.path().head().equals(attribute)) {
                return Optional.ofNullable(switch (action.type()) {
                    case SET -> action.value().staticType();
                    case ADD, DELETE -> action.operand().type();
                    case REMOVE -> null;
                });
            }
        }
        return Optional.empty();
    }

    @Override
    public Map<String, AttributeValue> updatedPart(Map<String, AttributeValue> item) {
        return PathProjector.project(paths, item);
    }
}
