package dev.caddie.gate;

import java.util.List;

/** A candidate may change only the task's editable files. */
public final class EditableFilesGate implements Gate {
    @Override
    public String name() { return "editable-files"; }

    @Override
    public GateResult check(CandidateChange c) {
        List<String> outside = c.changedFiles().stream().filter(f -> !c.task().editable().contains(f)).toList();
        return outside.isEmpty() ? GateResult.pass(name(), c.changedFiles().size() + " editable file(s) changed")
                : GateResult.fail(name(), "changes non-editable file(s) " + String.join(", ", outside)
                + "; editable: " + String.join(", ", c.task().editable()));
    }
}
