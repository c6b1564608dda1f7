package org.layerwise.sweep.ui;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import org.eclipse.core.runtime.ListenerList;
import org.eclipse.jface.viewers.IPostSelectionProvider;
import org.eclipse.jface.viewers.IStructuredContentProvider;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.ISelectionChangedListener;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.SelectionChangedEvent;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.StructuredViewer;

/**
 * The Sweep view's selection as the workbench sees it: the run directories (Paths) of the points
 * selected in its table, the same kind of selection the explorer gives for a run, so every run
 * view follows a chosen point as it follows a run chosen in the explorer. Only a change of those
 * run directories is told.
 */
final class RunSelection implements IPostSelectionProvider {

    private final StructuredViewer points;
    private final Function<Object, Path> runOf;
    private final ListenerList<ISelectionChangedListener> listeners = new ListenerList<>();
    private final ListenerList<ISelectionChangedListener> postListeners = new ListenerList<>();
    private ISelection lastFired = StructuredSelection.EMPTY;
    private ISelection lastPostFired = StructuredSelection.EMPTY;

    RunSelection(StructuredViewer points, Function<Object, Path> runOf) {
        this.points = points;
        this.runOf = runOf;
        points.addSelectionChangedListener(e -> fire(listeners, e));
        points.addPostSelectionChangedListener(e -> fire(postListeners, e));
    }

    private void fire(ListenerList<ISelectionChangedListener> to, SelectionChangedEvent e) {
        ISelection runs = runs(e.getSelection());
        // the table re-selects the same points after a refresh: the run views need not read them again
        if (runs.equals(to == listeners ? lastFired : lastPostFired)) {
            return;
        }
        if (to == listeners) {
            lastFired = runs;
        } else {
            lastPostFired = runs;
        }
        SelectionChangedEvent converted = new SelectionChangedEvent(this, runs);
        for (ISelectionChangedListener l : to) {
            l.selectionChanged(converted);
        }
    }

    private ISelection runs(ISelection rows) {
        if (!(rows instanceof IStructuredSelection s) || s.isEmpty()) {
            return StructuredSelection.EMPTY;
        }
        return new StructuredSelection(s.toList().stream().map(runOf).toList());
    }

    @Override
    public ISelection getSelection() {
        return runs(points.getSelection());
    }

    /** Selects the points whose run directories the selection holds. */
    @Override
    public void setSelection(ISelection selection) {
        if (!(selection instanceof IStructuredSelection s) || points.getInput() == null) {
            return;
        }
        List<?> runs = s.toList();
        Object[] rows = ((IStructuredContentProvider) points.getContentProvider()).getElements(points.getInput());
        points.setSelection(new StructuredSelection(Arrays.stream(rows).filter(r -> runs.contains(runOf.apply(r))).toList()), true);
    }

    @Override
    public void addSelectionChangedListener(ISelectionChangedListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeSelectionChangedListener(ISelectionChangedListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void addPostSelectionChangedListener(ISelectionChangedListener listener) {
        postListeners.add(listener);
    }

    @Override
    public void removePostSelectionChangedListener(ISelectionChangedListener listener) {
        postListeners.remove(listener);
    }
}
