package org.layerwise.pipeline.internal;

import org.eclipse.emf.common.notify.Adapter;
import org.eclipse.emf.ecore.EObject;
import org.eclipse.emf.common.notify.impl.AdapterImpl;

/**
 * Where an object's element starts in the file it was loaded from (1-based line and column).
 * Attached while loading; copies of the object do not carry it, and saving ignores it.
 */
public final class SourceLocation extends AdapterImpl {

    private int line;
    private int column;

    private SourceLocation(int line, int column) {
        this.line = line;
        this.column = column;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    void moveTo(int newLine, int newColumn) {
        this.line = newLine;
        this.column = newColumn;
    }

    @Override
    public boolean isAdapterForType(Object type) {
        return type == SourceLocation.class;
    }

    /** Records a position, replacing any earlier one; does nothing when the line is unknown. */
    public static void record(EObject object, int line, int column) {
        if (line <= 0) {
            return;
        }
        SourceLocation existing = of(object);
        if (existing != null) {
            existing.moveTo(line, column);
        } else {
            object.eAdapters().add(new SourceLocation(line, column));
        }
    }

    /** The location recorded for the object, or null. */
    public static SourceLocation of(EObject object) {
        if (object == null) {
            return null;
        }
        for (Adapter adapter : object.eAdapters()) {
            if (adapter instanceof SourceLocation location) {
                return location;
            }
        }
        return null;
    }
}
